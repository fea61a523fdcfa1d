package testisp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/mdlayher/packet"
	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/hostinfo"
	"golang.org/x/sys/unix"
)

// Run opens a raw packet socket on ifname, logs EventReady, then answers
// Router Solicitations and DHCPv6 client messages and sends the scheduled
// RAs until ctx ends. Every frame heard or sent is logged to log as one
// JSON line.
//
// One AF_PACKET socket bound to ETH_P_IPV6 both reads and writes whole
// Ethernet frames: writing the link header ourselves is what lets a
// scenario forge source MACs, and the kernel does not loop a socket's own
// frames back to it, nor hand it frames other sockets in the ISP namespace
// send (those go only to ETH_P_ALL taps).
func Run(ctx context.Context, ifname string, sc Scenario, log io.Writer) error {
	ifc, err := hostinfo.LookupInterface(os.DirFS("/"), ifname)
	if err != nil {
		return fmt.Errorf("testisp: %w", err)
	}
	if !ifc.LinkLocal.IsValid() || len(ifc.MAC) == 0 {
		return fmt.Errorf("testisp: %s has no MAC or no link-local address yet", ifname)
	}
	filter, err := capture.Filter(capture.LinkTypeEthernet)
	if err != nil {
		return fmt.Errorf("testisp: %w", err)
	}
	ni := &net.Interface{Index: ifc.Index, Name: ifc.Name, MTU: ifc.MTU, HardwareAddr: ifc.MAC}
	conn, err := packet.Listen(ni, packet.Raw, unix.ETH_P_IPV6, &packet.Config{Filter: filter})
	if err != nil {
		return fmt.Errorf("testisp: open %s: %w", ifname, err)
	}
	defer conn.Close()

	r := &runner{eng: NewEngine(sc, Link{MAC: ifc.MAC, LinkLocal: ifc.LinkLocal}), conn: conn, log: json.NewEncoder(log)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		<-ctx.Done()
		_ = conn.SetReadDeadline(time.Now()) // unblocks ReadFrom
	}()
	r.write(Entry{Event: EventReady, SourceMAC: ifc.MAC.String(), Source: ifc.LinkLocal, Note: ifname})

	var wg sync.WaitGroup
	for i, rt := range sc.Routers {
		if rt.Interval > 0 {
			wg.Go(func() { r.periodic(ctx, i, rt.Interval.D()) })
		}
		if rt.Flood != nil && rt.Flood.PerSecond > 0 {
			wg.Go(func() { r.flood(ctx, i, *rt.Flood) })
		}
	}
	buf := make([]byte, 1<<16)
	for {
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			wg.Wait()
			return fmt.Errorf("testisp: read on %s: %w", ifname, err)
		}
		r.mu.Lock()
		heard, sends, ok := r.eng.Receive(buf[:n])
		r.mu.Unlock()
		if !ok {
			continue
		}
		r.write(heard)
		for _, s := range sends {
			r.schedule(ctx, s)
		}
	}
	wg.Wait()
	r.timers.Wait()
	return nil
}

type runner struct {
	mu     sync.Mutex // guards eng (its random source) and log
	eng    *Engine
	conn   *packet.Conn
	log    *json.Encoder
	timers sync.WaitGroup
}

func (r *runner) write(e Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	_ = r.log.Encode(e)
}

// send puts one frame on the wire now; the destination MAC is the frame's own.
func (r *runner) send(s Send) {
	if len(s.Frame) == 0 {
		r.write(s.Entry)
		return
	}
	dst := net.HardwareAddr(s.Frame[0:6])
	if _, err := r.conn.WriteTo(s.Frame, &packet.Addr{HardwareAddr: dst}); err != nil {
		s.Entry.Event, s.Entry.Note = EventError, fmt.Sprintf("send %s: %v", s.Entry.Kind, err)
	}
	r.write(s.Entry)
}

func (r *runner) schedule(ctx context.Context, s Send) {
	if s.After <= 0 {
		r.send(s)
		return
	}
	r.timers.Go(func() {
		t := time.NewTimer(s.After)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
			r.send(s)
		}
	})
}

func (r *runner) ra(i int, flood bool) {
	r.mu.Lock()
	s, err := r.eng.RouterAdvertisement(i, flood)
	r.mu.Unlock()
	if err != nil {
		r.write(Entry{Event: EventError, Actor: s.Entry.Actor, Note: err.Error()})
		return
	}
	if flood {
		s.Entry.Note = "flood"
	}
	r.send(s)
}

func (r *runner) periodic(ctx context.Context, i int, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		r.ra(i, false)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// flood sends exactly PerSecond × Duration RAs, the n-th due at
// start + n/PerSecond; a sender that falls behind (a busy CPU) catches up
// instead of dropping RAs, so the count a test sees is the count asked for.
func (r *runner) flood(ctx context.Context, i int, f RAFlood) {
	gap := time.Second / time.Duration(f.PerSecond)
	total := int(f.Duration.D() / gap)
	start := time.Now()
	t := time.NewTimer(0)
	defer t.Stop()
	for n := range total {
		if wait := time.Until(start.Add(time.Duration(n) * gap)); wait > 0 {
			t.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		} else if ctx.Err() != nil {
			return
		}
		r.ra(i, true)
	}
}

// ReadLog parses a JSON-lines log written by Run. A torn last line (the
// process was killed mid-write) is skipped.
func ReadLog(rd io.Reader) ([]Entry, error) {
	dec := json.NewDecoder(rd)
	var out []Entry
	for {
		var e Entry
		err := dec.Decode(&e)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("testisp: read log: %w", err)
		}
		out = append(out, e)
	}
}
