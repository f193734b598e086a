package devtemporal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// UI is the Temporal Web UI served beside the embedded server, as `temporal server start-dev` serves
// it: every workflow of the dev stack with its history, pending activities and timers, to look at what a
// process is doing or waiting for.
type UI struct {
	srv *uiserver.Server
	url string
}

// StartUI serves the Web UI of the frontend at frontendHostPort on ip:port (port 0: a free one) and
// returns once it answers. The UI server exits the process when it cannot listen, so the port is tried
// first and a taken one is an error here instead.
func StartUI(frontendHostPort, ip string, port int) (*UI, error) {
	if ip == "" {
		ip = "127.0.0.1"
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("temporal web UI: %w", err)
	}
	port = l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return nil, fmt.Errorf("temporal web UI: %w", err)
	}
	srv := uiserver.NewServer(uiserveroptions.WithConfigProvider(&uiconfig.Config{
		Host: ip, Port: port, TemporalGRPCAddress: frontendHostPort, EnableUI: true,
		// Plain HTTP on loopback: the CSRF cookie must be sent without TLS. No news from the internet.
		CORS: uiconfig.CORS{CookieInsecure: true}, HideLogs: true, DisableNewsFetch: true,
	}))
	u := &UI{srv: srv, url: "http://" + net.JoinHostPort(ip, strconv.Itoa(port))}
	done := make(chan error, 1)
	go func() { done <- srv.Start() }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := u.ping()
		if err == nil {
			return u, nil
		}
		select {
		case serr := <-done:
			return nil, fmt.Errorf("temporal web UI stopped at start: %w", errors.Join(serr, err))
		default:
		}
		if time.Now().After(deadline) {
			srv.Stop()
			return nil, fmt.Errorf("temporal web UI not answering on %s: %w", u.url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (u *UI) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.url+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /healthz: %d", resp.StatusCode)
	}
	return nil
}

// URL is where the UI is served.
func (u *UI) URL() string { return u.url }

// Stop closes the UI's listener.
func (u *UI) Stop() { u.srv.Stop() }
