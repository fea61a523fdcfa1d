package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/hostinfo"
	"github.com/v6diag/v6diag/live"
	"github.com/v6diag/v6diag/report"
	"github.com/v6diag/v6diag/uciconfig"
)

const runUsage = `Usage: v6diag run [flags]

Run as root on the router. Sends Router Solicitations and a DHCPv6
Solicit → Advertise → Request → Reply exchange (then Release) on the WAN
interface, captures every RS/RA/DHCPv6 frame both ways into
capture.pcapng, and diagnoses the line from that capture.

It never changes the router: no addresses, routes, sysctls or config
files. It uses a DUID of its own (stable across runs, never the router's),
so the router's own DHCPv6 lease is not touched, and it releases what it
obtained. It sends and receives through a raw socket, so it works while
odhcp6c holds UDP port 546 and never takes its replies.

The interface is -i, else the wan6/wan device in --config, else the
interface of the default route.

Flags:
`

type runFlags struct {
	iface       string
	out         string
	timeout     time.Duration
	prefixLen   int
	duid        string
	solicitOnly bool
	passive     bool
	noRelease   bool
	config      string
	configSet   bool // --config was given: the file must exist
	firewall    string
	quiet       bool
	strategy    string
	rep         reportOptions
}

// newRunFlags defines run's flags on a new FlagSet; the help text is
// generated from it, so it names every flag there is.
func newRunFlags(f *runFlags) *flag.FlagSet {
	fl := flag.NewFlagSet("run", flag.ContinueOnError)
	fl.StringVar(&f.iface, "i", "", "WAN `interface` to test (default: from --config, else the default route's)")
	fl.StringVar(&f.out, "out", "", "write the report into `DIR` (default: a new folder under /tmp)")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Second, "give up after this `duration` on a line that does not answer")
	fl.IntVar(&f.prefixLen, "prefix-len", 48, "the prefix size `N` you want from the ISP: a smaller one is the ISP's to fix (what the first attempt asks for comes from the router's wan6 config)")
	fl.StringVar(&f.duid, "duid", "", "use this DUID (`hex`) instead of v6diag's own")
	fl.BoolVar(&f.solicitOnly, "solicit-only", false, "stop after the Advertises: take no lease")
	fl.BoolVar(&f.passive, "passive", false, "send nothing; record what the router's own client and the ISP exchange for --timeout (run 'ifup wan6' meanwhile)")
	fl.BoolVar(&f.noRelease, "no-release", false, "keep the lease obtained instead of releasing it")
	fl.StringVar(&f.config, "config", "/etc/config/network", "OpenWrt network config to read (never written)")
	fl.StringVar(&f.firewall, "firewall", defaultFirewallConfig, "OpenWrt firewall config `FILE` to judge the DHCPv6 answers against when the loaded ruleset (nft, ip6tables) cannot be read (never written)")
	fl.BoolVar(&f.quiet, "quiet", false, "print only the verdict line")
	fl.StringVar(&f.strategy, "strategy", "auto", strategyUsage)
	addReportFlags(fl, &f.rep)
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), runUsage)
		fl.PrintDefaults()
	}
	return fl
}

func cmdRun(args []string, stdout, stderr io.Writer) (int, error) {
	var f runFlags
	fl := newRunFlags(&f)
	fl.SetOutput(stderr)
	rest, err := parseFlags(fl, args, stdout)
	if err != nil {
		return 0, err
	}
	if len(rest) > 0 {
		return 0, usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	}
	f.configSet = flagWasSet(fl, "config")
	if f.timeout <= 0 {
		return 0, usageError{"--timeout must be positive, e.g. 30s"}
	}
	if f.prefixLen < 0 || f.prefixLen > 128 {
		return 0, usageError{"--prefix-len must be between 0 and 128"}
	}
	if f.passive && f.solicitOnly {
		return 0, usageError{"--passive sends nothing; it cannot be combined with --solicit-only"}
	}
	if _, err := parseStrategy(f.strategy); err != nil {
		return 0, err
	}
	return runLive(f, stdout, stderr)
}

// netConfig is what the router's network config says, when it can be read.
// loadNetConfig (config.go) reads it.
type netConfig struct {
	file *uciconfig.File
	note string
	path string
	raw  []byte // the file as read (with uci's uncommitted changes), for the suggestion
	// notes say where the config came from when that is not just path:
	// uci's override folder, uncommitted changes.
	notes []string
	// unreadable is set when the file exists but does not parse.
	unreadable bool
}

func pickInterface(f runFlags, nc netConfig, root fs.FS) (name, why string, err error) {
	if f.iface != "" {
		return f.iface, "named with -i", nil
	}
	if nc.file != nil {
		if dev, iface, ok := nc.file.WANDevice(); ok {
			return dev, fmt.Sprintf("device of interface %s in %s", iface, f.config), nil
		}
	}
	if dev, ok := hostinfo.DefaultRouteInterface(root); ok {
		return dev, "interface of the default route", nil
	}
	return "", "", cannotRun{errors.New("no WAN interface found"), "name it with -i, e.g. -i eth0.2"}
}

// identity picks the DUID: --duid, else v6diag's own, derived from the
// WAN MAC (or the underlying device's, on PPPoE), never the router's.
func identity(f runFlags, ifc capture.Interface, nc netConfig, root fs.FS) (dhcpv6.Identity, []string, error) {
	var notes []string
	mac := ifc.MAC
	if mac == nil && nc.file != nil {
		// PPPoE: the DUID comes from the Ethernet device under pppoe-wan.
		for _, i := range nc.file.Interfaces() {
			if i.Name == "wan" && i.Device != "" {
				if under, err := hostinfo.LookupInterface(root, i.Device); err == nil && under.MAC != nil {
					mac = under.MAC
					notes = append(notes, fmt.Sprintf("DUID derived from %s's MAC (%s has none)", i.Device, ifc.Name))
				}
			}
		}
	}
	if mac == nil {
		// No MAC anywhere: derive from the interface name and machine id.
		mac = append([]byte(ifc.Name), hostinfo.MachineID(root)...)
	}
	var routers []dhcpv6.DUID
	routers = append(routers, dhcpv6.DUIDLL(mac))
	if nc.file != nil {
		if hex, ok := nc.file.DHCPv6ClientID(); ok {
			if d, err := dhcpv6.ParseDUIDHex(hex); err == nil {
				routers = append(routers, d)
			}
		}
	}
	id := dhcpv6.Identity{DUID: dhcpv6.StableDUID(mac), IAID: dhcpv6.StableIAID(mac), PDIAID: dhcpv6.StableIAID(mac)}
	if f.duid != "" {
		d, err := dhcpv6.ParseDUIDHex(f.duid)
		if err != nil {
			return id, nil, usageError{fmt.Sprintf("--duid: %v", err)}
		}
		id.DUID = d
		notes = append(notes, "DUID given with --duid")
	}
	for _, r := range routers {
		if r.Equal(id.DUID) {
			if f.duid != "" {
				return id, nil, cannotRun{errors.New("--duid is the router's own DUID"), "v6diag would disturb the router's lease; leave --duid out"}
			}
			id.DUID[len(id.DUID)-1] ^= 0xff
		}
	}
	return id, notes, nil
}

func runLive(f runFlags, stdout, stderr io.Writer) (int, error) {
	if err := preflightRun(); err != nil {
		return 0, err
	}
	r := liveRun{f: f, root: os.DirFS("/")}
	var err error
	if r.nc, err = loadNetConfig(f.config, f.configSet); err != nil {
		return 0, err
	}
	if r.w, err = chooseWAN(f, r.nc, r.root); err != nil {
		return 0, err
	}
	o, err := openRunOutput(f.out)
	if err != nil {
		return 0, err
	}
	defer o.file.Close()
	r.capPath = o.capPath
	r.notes = append([]string{fmt.Sprintf("interface %s: %s", r.w.ifc.Name, r.w.why)}, r.w.notes...)
	if r.nc.note != "" {
		r.notes = append(r.notes, r.nc.note)
	}
	r.port546 = port546State(r.root)
	r.rc = routerClientFacts(r.nc, r.w.ifc.Name, r.root)
	r.started = time.Now()
	// The run's frames are analysed as they are recorded, each decoded
	// once (diag's door): the capture is not read back.
	r.pass = diag.NewPass()
	if !r.w.ifc.Carrier {
		r.notes = append(r.notes, "no carrier: nothing was sent")
		// An empty but valid capture: the report still ships one.
		if _, err := capture.NewPcapngWriter(o.file, r.w.ifc.Name, r.w.ifc.LinkType(), "v6diag "+version); err != nil {
			return o.fail(cannotRun{fmt.Errorf("write %s: %w", o.capPath, err), "check free space in the output folder"})
		}
	} else {
		// Until runLive returns: an interruption while the report is
		// written must not kill it half way.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := r.record(ctx, o.file, stderr); err != nil {
			return o.fail(err)
		}
	}
	if err := o.file.Sync(); err != nil {
		return o.fail(cannotRun{fmt.Errorf("write %s: %w", o.capPath, err), "check free space in the output folder"})
	}
	doc, verdict, err := r.document()
	if err != nil {
		return o.fail(err)
	}
	return deliver(delivery{doc: doc, verdict: verdict, nc: r.nc, rep: f.rep, config: f.config,
		dir: o.out.path, capture: o.capPath, started: r.started, quiet: f.quiet, undo: o.undo}, stdout)
}

// runOutput is where a live run writes: the output folder and the capture.
type runOutput struct {
	out     outDir
	capPath string
	file    *os.File
}

// openRunOutput creates the output folder and the capture file in it.
func openRunOutput(named string) (runOutput, error) {
	out, err := outputDir(named)
	if err != nil {
		return runOutput{}, err
	}
	o := runOutput{out: out, capPath: filepath.Join(out.path, "capture.pcapng")}
	if o.file, err = os.OpenFile(o.capPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600); err != nil {
		out.discard()
		return runOutput{}, cannotRun{fmt.Errorf("create %s: %w", o.capPath, err), "choose a writable folder with --out"}
	}
	return o, nil
}

// undo removes what the run wrote — never the folder itself when --out
// named one that existed — whatever step failed.
func (o runOutput) undo(bool) {
	o.file.Close()
	o.out.discard(append([]string{"capture.pcapng"}, configFiles...)...)
}

// fail is undo, returning err.
func (o runOutput) fail(err error) (int, error) {
	o.undo(true)
	return 0, err
}

// liveRun is what one run gathers on its way to the report.
type liveRun struct {
	f       runFlags
	root    fs.FS
	nc      netConfig
	w       wan
	rc      *diag.RouterClientFacts
	started time.Time
	capPath string
	port546 string
	notes   []string
	pass    *diag.Pass
	outcome *live.Outcome // nil when nothing was sent (no carrier)
}

// document finishes the analysis with what the run learnt after its frames
// (the firewall, the link after the run) and builds the report.
func (r *liveRun) document() (report.Document, diag.Verdict, error) {
	facts := runFacts(r.f, r.w, r.rc, r.outcome)
	fw, fwNote := readRouterFirewall(context.Background(), r.f.firewall, r.nc, r.w.ifc.Name)
	facts.Firewall, facts.Interface = fw, r.w.ifc.Name
	r.notes = append(r.notes, fwNote)
	an := r.pass.Finish(facts)
	if r.outcome != nil && r.outcome.CaptureWriteFailed {
		// The pass lacks what the file holds; the file is the evidence.
		var err error
		if an, err = analyzeFile(r.capPath, facts); err != nil {
			return report.Document{}, diag.Verdict{}, cannotRun{fmt.Errorf("read back %s: %w", r.capPath, err), ""}
		}
	}
	runInfo := liveRunInfo(r.f, r.w, r.outcome, r.rc, r.started, r.capPath, r.port546, r.notes)
	runInfo.Framing = &an.Link
	liveFacts(r.root, r.w.ifc, &runInfo)
	runInfo.RouterState = readRouterState(r.nc)
	doc := report.NewDocument(runInfo, an.Result)
	if len(an.Result.Client.DUID) == 0 && !r.f.passive {
		doc.DUIDFromIdentity(r.w.id.DUID, r.w.id.IAID)
	}
	return doc, an.Result.Verdict, nil
}

// wan is the interface a live run tests, chosen and checked, and who
// v6diag is on it.
type wan struct {
	ifc capture.Interface
	why string // how the interface was chosen
	id  dhcpv6.Identity
	// notes say where the DUID came from and why the capture cap was
	// lowered, when it was.
	notes []string
	room  room
}

// chooseWAN picks the interface and checks that a run can work on it,
// picks v6diag's DUID, and sizes the capture to the room the output has.
func chooseWAN(f runFlags, nc netConfig, root fs.FS) (wan, error) {
	name, why, err := pickInterface(f, nc, root)
	if err != nil {
		return wan{}, err
	}
	ifc, err := hostinfo.LookupInterface(root, name)
	if errors.Is(err, hostinfo.ErrNoInterface) {
		return wan{}, cannotRun{fmt.Errorf("no interface %q (%s)", name, why), "list interfaces with 'ip link' and name one with -i"}
	}
	if err != nil {
		return wan{}, cannotRun{err, ""}
	}
	if ifc.IPv6Disabled {
		return wan{}, cannotRun{fmt.Errorf("IPv6 is disabled on %s (net.ipv6.conf.%s.disable_ipv6=1)", name, name), "enable IPv6 on the interface; v6diag does not change sysctls"}
	}
	id, notes, err := identity(f, ifc, nc, root)
	if err != nil {
		return wan{}, err
	}
	if !f.passive && ifc.Carrier && !ifc.LinkLocal.IsValid() {
		hint := "the interface has no IPv6 link-local address; check that IPv6 is enabled on it"
		if ifc.LinkLocalTentative {
			hint = "its link-local address is still in duplicate address detection; wait a second and retry"
		}
		return wan{}, cannotRun{fmt.Errorf("%s has no usable link-local address", name), hint}
	}
	rm, err := checkRoom(f.out, ifc.MTU, root, statfs)
	if err != nil {
		return wan{}, err
	}
	if rm.note != "" {
		notes = append(notes, rm.note)
	}
	return wan{ifc: ifc, why: why, id: id, notes: notes, room: rm}, nil
}

// port546State says whether another DHCPv6 client held UDP port 546.
func port546State(root fs.FS) string {
	if bound, err := hostinfo.UDPPortBound(root, capture.PortDHCPv6Client); err == nil && bound {
		return "held by another DHCPv6 client (e.g. odhcp6c); v6diag used its raw socket and left that client alone"
	}
	return "free: no other DHCPv6 client held UDP port 546"
}

// record runs the live exchange, writing the capture to capFile and
// handing each recorded frame to the pass, with progress on stderr; the
// notes gain what the run and the link after it say.
func (r *liveRun) record(ctx context.Context, capFile io.Writer, stderr io.Writer) error {
	f, w := r.f, r.w
	progress := newProgress(stderr, f.quiet)
	strategy, _ := parseStrategy(f.strategy)
	rid, ridSkip := routerIdentity(w.ifc, w.id, r.root)
	outcome, err := live.Run(ctx, live.Config{
		Interface: w.ifc,
		Capture:   capFile,
		Timeout:   f.timeout,
		Passive:   f.passive,
		Client: dhcpv6.ClientConfig{
			Identity:    w.id,
			SolicitOnly: f.solicitOnly,
			NoRelease:   f.noRelease,
		},
		RouterArgs:         r.rc.Args,
		Host:               r.rc.Host,
		WantedPrefixLength: f.prefixLen,
		Strategy:           strategy,
		RouterIdentity:     rid,
		RouterDUIDSkip:     ridSkip,
		Status:             progress.status,
		Application:        "v6diag " + version,
		MaxFrames:          w.room.maxFrames,
		Analysis:           r.pass,
	})
	progress.done()
	if errors.Is(err, capture.ErrPermission) {
		return cannotRun{err, "run v6diag as root"}
	}
	if err != nil {
		return cannotRun{err, ""}
	}
	r.outcome = outcome
	r.notes = append(r.notes, outcome.Notes(w.room.maxFrames)...)
	if carrier, note := linkAfterRun(r.root, w.ifc); note != "" {
		r.notes = append(r.notes, note)
		r.w.ifc.Carrier = carrier
	}
	return nil
}

// runFacts are what the run knows beyond its frames, for the analysis.
func runFacts(f runFlags, w wan, rc *diag.RouterClientFacts, outcome *live.Outcome) diag.Facts {
	facts := diag.Facts{Live: true, Carrier: w.ifc.Carrier, ClientMAC: w.ifc.MAC, ClientLinkLocal: w.ifc.LinkLocal,
		Passive: f.passive, SolicitOnly: f.solicitOnly, RouterClient: rc, WantedPrefixLength: f.prefixLen}
	if !f.passive {
		facts.ClientDUID = w.id.DUID
	}
	if outcome != nil {
		facts.Attempts = attemptWindows(outcome.Attempts)
	}
	return facts
}

// liveRunInfo is the report's account of the run itself: mode, interface,
// attempts, capture method and drops.
func liveRunInfo(f runFlags, w wan, outcome *live.Outcome, rc *diag.RouterClientFacts, started time.Time, capPath, port546 string, notes []string) report.Run {
	mode := "run"
	switch {
	case f.passive:
		mode = "run --passive"
	case f.solicitOnly:
		mode = "run --solicit-only"
	}
	ifc := w.ifc
	run := report.Run{Tool: "v6diag", Version: version, Mode: mode, Started: started.UTC(), Duration: time.Since(started),
		Source: capPath, Port546: port546, Notes: notes,
		Interface: &report.Interface{Name: ifc.Name, MAC: ifc.MAC, LinkLocal: ifc.LinkLocal, MTU: ifc.MTU, Carrier: ifc.Carrier,
			LinkType: ifc.LinkType().String(), Source: ifc.Source}}
	if outcome == nil {
		return run
	}
	run.Duration = outcome.Ended.Sub(outcome.Started)
	if !f.passive {
		run.Strategy, run.Attempts = f.strategy, attemptPlans(outcome.Attempts, rc.Host)
	}
	run.Capture = &report.LiveCapture{Method: string(outcome.CaptureMethod), ReceiveBufferBytes: capture.ReceiveBuffer,
		MaxFrames: w.room.maxFrames, FramesNotRecorded: outcome.FramesCapped}
	if !outcome.KernelDropsUnknown {
		drops := int(outcome.KernelDrops)
		run.Capture.KernelDrops = &drops
	}
	return run
}

// analyzeFile analyses the capture a live run wrote, when writing it
// failed part way: the verdict always comes from the frames the file holds.
func analyzeFile(path string, facts diag.Facts) (diag.Analysis, error) {
	file, err := os.Open(path)
	if err != nil {
		return diag.Analysis{}, err
	}
	defer file.Close()
	rd, err := capture.NewReader(file)
	if err != nil {
		return diag.Analysis{}, err
	}
	return diag.AnalyzeFrames(rd, facts)
}
