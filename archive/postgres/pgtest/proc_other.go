//go:build !linux

package pgtest

import "syscall"

// procAttr runs a program as cred (when set).
func procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred}
}
