package config

import (
	"testing"
	"time"
)

func TestStoreAndWorkersKeys(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name      string
		yaml      string
		wantProbs []string
	}{
		{name: "defaults", yaml: minimal},
		{name: "postgres with a dsn from the environment", yaml: minimal + "store: {driver: postgres, dsn: \"${APP_SECRET}\"}\n"},
		{name: "postgres without a dsn", yaml: minimal + "store: {driver: postgres}\n",
			wantProbs: []string{"store.dsn: missing: the postgres driver needs a connection string"}},
		{name: "a dsn with sqlite", yaml: minimal + "store: {driver: sqlite, dsn: \"${APP_SECRET}\"}\n",
			wantProbs: []string{"store.dsn: the sqlite driver keeps its file at paths.database"}},
		{name: "an unknown driver", yaml: minimal + "store: {driver: mysql}\n",
			wantProbs: []string{`store.driver: "mysql": write sqlite or postgres`}},
		{name: "a worker id and a TTL", yaml: minimal + "workers: {id: vm1-a, lease_ttl: 10s}\n"},
		{name: "a worker id with a space", yaml: minimal + "workers: {id: \"vm 1\"}\n",
			wantProbs: []string{`workers.id: "vm 1": write lower-case letters`}},
		{name: "a TTL too short", yaml: minimal + "workers: {lease_ttl: 1s}\n",
			wantProbs: []string{"workers.lease_ttl: 1s: write between 3s and 10m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs, _ := problems(t, tt.yaml, dir, minimalEnv)
			containsAll(t, "problems", probs, tt.wantProbs)
			if len(tt.wantProbs) == 0 && len(probs) > 0 {
				t.Errorf("problems %q, want none", probs)
			}
		})
	}
	cfg, err := Parse([]byte(minimal), "min.yaml", dir, env(minimalEnv))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Store.Driver != DriverSQLite || cfg.Workers.LeaseTTL.D() != 30*time.Second || cfg.Workers.ID != "" {
		t.Errorf("defaults: store %+v, workers %+v; want sqlite, a 30s TTL and no id", cfg.Store.Driver, cfg.Workers)
	}
}
