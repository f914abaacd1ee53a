// Command sshload is the Go client of scripts/estate-soak.py: it opens one
// interactive SSH shell on each switch given, types a command in each,
// waits for the prompt, pauses, and again, for a while; then it prints
// each command's latency (typed to prompt back) in microseconds, one a
// line. Unlike a Python client it adds next to nothing to what it
// measures.
//
//	sshload -addr 127.0.0.1:20000,sw00001 -addr 127.0.0.1:20020,sw00021 \
//	        -command "show license status" -pause 1s -for 1m
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

type addrs []string

func (a *addrs) String() string     { return strings.Join(*a, " ") }
func (a *addrs) Set(v string) error { *a = append(*a, v); return nil }

func main() {
	var targets addrs
	flag.Var(&targets, "addr", "host:port,hostname of a switch (repeat for each)")
	user := flag.String("user", "admin", "user")
	password := flag.String("password", "cisco", "password")
	command := flag.String("command", "show license status", "the command typed")
	pause := flag.Duration("pause", time.Second, "pause after each answer")
	length := flag.Duration("for", time.Minute, "how long to go on")
	flag.Parse()
	if len(targets) == 0 {
		fmt.Fprintln(os.Stderr, "sshload: no -addr")
		os.Exit(2)
	}
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	errs := make(chan error, len(targets))
	stop := time.Now().Add(*length)
	for _, t := range targets {
		addr, host, ok := strings.Cut(t, ",")
		if !ok {
			fmt.Fprintf(os.Stderr, "sshload: -addr %q: want host:port,hostname\n", t)
			os.Exit(2)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat, err := session(addr, host+"#", *user, *password, *command, *pause, stop)
			if err != nil {
				errs <- fmt.Errorf("%s: %w", addr, err)
				return
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		fmt.Fprintln(os.Stderr, "sshload:", err)
		os.Exit(1)
	}
	for _, d := range all {
		fmt.Println(d.Microseconds())
	}
}

func session(addr, prompt, user, password, command string, pause time.Duration, stop time.Time) ([]time.Duration, error) {
	cfg := &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.Password(password)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 30 * time.Second} // a lab on loopback
	c, err := ssh.Dial("tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		return nil, err
	}
	if err := s.RequestPty("vt100", 1000, 511, ssh.TerminalModes{}); err != nil {
		return nil, err
	}
	in, err := s.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := s.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.Shell(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	p := make([]byte, 64<<10)
	read := func() error {
		buf.Reset()
		for !bytes.HasSuffix(bytes.TrimRight(buf.Bytes(), " "), []byte(prompt)) {
			n, err := out.Read(p)
			buf.Write(p[:n])
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("closed before the prompt %q", prompt)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if err := read(); err != nil {
		return nil, err
	}
	if _, err := fmt.Fprint(in, "terminal length 0\r"); err != nil {
		return nil, err
	}
	if err := read(); err != nil {
		return nil, err
	}
	var lat []time.Duration
	for time.Now().Before(stop) {
		t := time.Now()
		if _, err := fmt.Fprint(in, command+"\r"); err != nil {
			return nil, err
		}
		if err := read(); err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(t))
		time.Sleep(pause)
	}
	return lat, nil
}
