package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/benbjohnson/clock"
	"github.com/spf13/cobra"

	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/internal/atomicfile"
	"github.com/slsim/slsim/runner"
	"github.com/slsim/slsim/scenario"
	"github.com/slsim/slsim/serve"
	"github.com/slsim/slsim/sim"
)

// The login a new served world gets, so that a fresh `slsim serve` can be
// reached at once: privilege 15, as netmiko scripts need. [model]
const (
	defaultUser   = "admin"
	defaultSecret = "cisco"
)

func newServeCmd() *cobra.Command {
	var (
		seed      uint64
		host      string
		port      int
		scale     float64
		stateDir  string
		user, pwd string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the lab's switches over SSH in real time (Ctrl-C saves the world and stops)",
		Long: "serve runs the lab world (a Catalyst 9300 stack, sw1, and the Cisco cloud) in real time, or\n" +
			"faster with --scale, and answers SSH for each switch on consecutive ports from --port.\n" +
			"The world and the SSH host key live in --state: a stopped server starts again where it was.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServe(ctx, cmd, serveOptions{seed: seed, host: host, port: port, scale: scale, state: stateDir, user: user, secret: pwd})
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of a new lab world")
	cmd.Flags().StringVar(&host, "host", "127.0.0.1", "address to listen on")
	cmd.Flags().IntVar(&port, "port", 2222, "SSH port of the first switch (0: any free port)")
	cmd.Flags().Float64Var(&scale, "scale", 1, "virtual seconds per real second")
	cmd.Flags().StringVar(&stateDir, "state", ".slsim", "directory holding the world and the SSH host key")
	cmd.Flags().StringVar(&user, "user", defaultUser, "user of a new world (privilege 15)")
	cmd.Flags().StringVar(&pwd, "password", defaultSecret, "that user's secret")
	return cmd
}

type serveOptions struct {
	seed         uint64
	host         string
	port         int
	scale        float64
	state        string
	user, secret string
}

func runServe(ctx context.Context, cmd *cobra.Command, o serveOptions) error {
	out := cmd.OutOrStdout()
	if o.scale <= 0 {
		return fmt.Errorf("serve: --scale %v: must be positive", o.scale)
	}
	if err := os.MkdirAll(o.state, 0o700); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	worldPath := filepath.Join(o.state, "world.json")
	w, fresh, err := openWorld(worldPath, o)
	if err != nil {
		return err
	}
	key, err := serve.LoadOrCreateHostKey(filepath.Join(o.state, "ssh_host_ed25519_key"))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	r, err := runner.New(clock.New(), w, o.scale)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv, err := serve.New(r, w, serve.Config{Host: o.host, BasePort: o.port, HostKey: key})
	if err != nil {
		return err
	}
	if fresh {
		fmt.Fprintf(out, "new world in %s; log in as %s\n", o.state, o.user)
	} else {
		fmt.Fprintf(out, "world loaded from %s\n", worldPath)
	}
	addrs := srv.Addrs()
	names := make([]string, 0, len(addrs))
	for n := range addrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(out, "%s ssh %s\n", n, addrs[n])
	}
	runErr := make(chan error, 1)
	go func() { runErr <- r.Run(ctx) }()
	serveErr := srv.Serve(ctx)
	if err := <-runErr; err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(cmd.ErrOrStderr(), "serve: the world stopped: %v\n", err)
	}
	var data []byte
	r.View(func() { data, err = w.Save() })
	if err != nil {
		return fmt.Errorf("serve: saving the world: %w", err)
	}
	if err := atomicfile.Write(worldPath, data); err != nil {
		return fmt.Errorf("serve: saving the world: %w", err)
	}
	fmt.Fprintf(out, "world saved to %s\n", worldPath)
	return serveErr
}

// openWorld loads the saved world, or makes the lab world with its login.
func openWorld(path string, o serveOptions) (*sim.World, bool, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		w, err := sim.Load(data)
		if err != nil {
			return nil, false, fmt.Errorf("serve: %s: %w", path, err)
		}
		return w, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("serve: %w", err)
	}
	l, err := scenario.NewLab(o.seed)
	if err != nil {
		return nil, false, err
	}
	for _, n := range l.World.Devices() {
		err := l.World.Configure(n, "username", func(c *device.Config) error {
			c.Users = append(c.Users, device.User{Name: o.user, Privilege: 15, Secret: o.secret})
			return nil
		})
		if err == nil {
			err = l.World.WriteMemory(n)
		}
		if err != nil {
			return nil, false, fmt.Errorf("serve: --user %q: %w", o.user, err)
		}
	}
	return l.World, true, nil
}
