//go:build !unix

package main

// lockQueue does nothing on systems without flock: run one worker per queue there.
func lockQueue(string) (release func(), err error) { return func() {}, nil }
