package pgtest

import "syscall"

// procAttr runs a program as cred (when set) and has the kernel stop it when
// the test process dies.
func procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
}
