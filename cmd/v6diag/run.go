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
	if dev, ok := capture.DefaultRouteInterface(root); ok {
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
				if under, err := capture.LookupInterface(root, i.Device); err == nil && under.MAC != nil {
					mac = under.MAC
					notes = append(notes, fmt.Sprintf("DUID derived from %s's MAC (%s has none)", i.Device, ifc.Name))
				}
			}
		}
	}
	if mac == nil {
		// No MAC anywhere: derive from the interface name and machine id.
		seed := []byte(ifc.Name)
		if id, err := fs.ReadFile(root, "etc/machine-id"); err == nil {
			seed = append(seed, id...)
		}
		mac = seed
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
	root := os.DirFS("/")
	nc, err := loadNetConfig(f.config, f.configSet)
	if err != nil {
		return 0, err
	}
	name, why, err := pickInterface(f, nc, root)
	if err != nil {
		return 0, err
	}
	ifc, err := capture.LookupInterface(root, name)
	if errors.Is(err, capture.ErrNoInterface) {
		return 0, cannotRun{fmt.Errorf("no interface %q (%s)", name, why), "list interfaces with 'ip link' and name one with -i"}
	}
	if err != nil {
		return 0, cannotRun{err, ""}
	}
	if ifc.IPv6Disabled {
		return 0, cannotRun{fmt.Errorf("IPv6 is disabled on %s (net.ipv6.conf.%s.disable_ipv6=1)", name, name), "enable IPv6 on the interface; v6diag does not change sysctls"}
	}
	id, idNotes, err := identity(f, ifc, nc, root)
	if err != nil {
		return 0, err
	}
	if !f.passive && ifc.Carrier && !ifc.LinkLocal.IsValid() {
		hint := "the interface has no IPv6 link-local address; check that IPv6 is enabled on it"
		if ifc.LinkLocalTentative {
			hint = "its link-local address is still in duplicate address detection; wait a second and retry"
		}
		return 0, cannotRun{fmt.Errorf("%s has no usable link-local address", name), hint}
	}
	rm, err := checkRoom(f.out, ifc.MTU, root, statfs)
	if err != nil {
		return 0, err
	}
	if rm.note != "" {
		idNotes = append(idNotes, rm.note)
	}
	out, err := outputDir(f.out)
	if err != nil {
		return 0, err
	}
	dir := out.path
	capPath := filepath.Join(dir, "capture.pcapng")
	capFile, err := os.OpenFile(capPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		out.discard()
		return 0, cannotRun{fmt.Errorf("create %s: %w", capPath, err), "choose a writable folder with --out"}
	}
	defer capFile.Close()
	// fail removes what this run wrote — never the folder itself when
	// --out named one that existed — and returns err.
	fail := func(err error) (int, error) {
		capFile.Close()
		out.discard(append([]string{"capture.pcapng"}, configFiles...)...)
		return 0, err
	}

	mode := "run"
	switch {
	case f.passive:
		mode = "run --passive"
	case f.solicitOnly:
		mode = "run --solicit-only"
	}
	notes := append([]string{fmt.Sprintf("interface %s: %s", name, why)}, idNotes...)
	if nc.note != "" {
		notes = append(notes, nc.note)
	}
	port546 := "free: no other DHCPv6 client held UDP port 546"
	if bound, err := capture.UDPPortBound(root, 546); err == nil && bound {
		port546 = "held by another DHCPv6 client (e.g. odhcp6c); v6diag used its raw socket and left that client alone"
	}

	rcFacts := routerClientFacts(nc, ifc.Name, root)
	progress := newProgress(stderr, f.quiet)
	started := time.Now()
	// The run's frames are analysed as they are recorded, each decoded
	// once (diag's door): the capture is not read back.
	pass := diag.NewPass()
	var outcome *live.Outcome
	if !ifc.Carrier {
		notes = append(notes, "no carrier: nothing was sent")
		// An empty but valid capture: the report still ships one.
		if _, err := capture.NewPcapngWriter(capFile, ifc.Name, ifc.LinkType(), "v6diag "+version); err != nil {
			return fail(cannotRun{fmt.Errorf("write %s: %w", capPath, err), "check free space in the output folder"})
		}
	} else {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		strategy, _ := parseStrategy(f.strategy)
		rid, ridSkip := routerIdentity(ifc, id, root)
		outcome, err = live.Run(ctx, live.Config{
			Interface: ifc,
			Capture:   capFile,
			Timeout:   f.timeout,
			Passive:   f.passive,
			Client: dhcpv6.ClientConfig{
				Identity:    id,
				SolicitOnly: f.solicitOnly,
				NoRelease:   f.noRelease,
			},
			RouterArgs:         rcFacts.Args,
			Host:               rcFacts.Host,
			WantedPrefixLength: f.prefixLen,
			Strategy:           strategy,
			RouterIdentity:     rid,
			RouterDUIDSkip:     ridSkip,
			Status:             progress.status,
			Application:        "v6diag " + version,
			MaxFrames:          rm.maxFrames,
			Analysis:           pass,
		})
		progress.done()
		if errors.Is(err, capture.ErrPermission) {
			return fail(cannotRun{err, "run v6diag as root"})
		}
		if err != nil {
			return fail(cannotRun{err, ""})
		}
		if outcome.Interrupted {
			notes = append(notes, "the run was interrupted before it finished; the report covers what happened until then")
		}
		if outcome.ReleasedOnInterrupt {
			notes = append(notes, "on interruption, a Release was sent for what the exchange held")
		}
		if outcome.FramesCapped > 0 {
			notes = append(notes, fmt.Sprintf("capture capped at %d frames; %d more were not recorded", rm.maxFrames, outcome.FramesCapped))
		}
		if outcome.KernelDrops > 0 {
			notes = append(notes, fmt.Sprintf("the kernel dropped %d frames during the capture (flood?)", outcome.KernelDrops))
		}
		if outcome.SendErrors > 0 {
			notes = append(notes, fmt.Sprintf("%d stimuli could not be sent: %v", outcome.SendErrors, outcome.LastError))
		}
		if carrier, note := linkAfterRun(root, ifc); note != "" {
			notes = append(notes, note)
			ifc.Carrier = carrier
		}
	}
	if err := capFile.Sync(); err != nil {
		return fail(cannotRun{fmt.Errorf("write %s: %w", capPath, err), "check free space in the output folder"})
	}

	facts := diag.Facts{Live: true, Carrier: ifc.Carrier, ClientMAC: ifc.MAC, ClientLinkLocal: ifc.LinkLocal,
		Passive: f.passive, SolicitOnly: f.solicitOnly, RouterClient: rcFacts, WantedPrefixLength: f.prefixLen}
	if !f.passive {
		facts.ClientDUID = id.DUID
	}
	if outcome != nil {
		facts.Attempts = attemptWindows(outcome.Attempts)
	}
	fw, fwNote := readRouterFirewall(context.Background(), f.firewall, nc, ifc.Name)
	facts.Firewall, facts.Interface = fw, ifc.Name
	notes = append(notes, fwNote)
	an := pass.Finish(facts)
	if outcome != nil && outcome.CaptureWriteFailed {
		// The pass lacks what the file holds; the file is the evidence.
		if an, err = analyzeFile(capPath, facts); err != nil {
			return fail(cannotRun{fmt.Errorf("read back %s: %w", capPath, err), ""})
		}
	}
	res := an.Result
	runInfo := report.Run{Tool: "v6diag", Version: version, Mode: mode, Started: started.UTC(), Duration: time.Since(started),
		Source: capPath, Port546: port546, Notes: notes,
		Interface: &report.Interface{Name: ifc.Name, MAC: ifc.MAC, LinkLocal: ifc.LinkLocal, MTU: ifc.MTU, Carrier: ifc.Carrier,
			LinkType: ifc.LinkType().String(), Source: ifc.Source}}
	if outcome != nil {
		runInfo.Duration = outcome.Ended.Sub(outcome.Started)
		if !f.passive {
			runInfo.Strategy, runInfo.Attempts = f.strategy, attemptPlans(outcome.Attempts, rcFacts.Host)
		}
		runInfo.Capture = &report.LiveCapture{Method: string(outcome.CaptureMethod), ReceiveBufferBytes: capture.ReceiveBuffer,
			MaxFrames: rm.maxFrames, FramesNotRecorded: outcome.FramesCapped}
		if !outcome.KernelDropsUnknown {
			drops := int(outcome.KernelDrops)
			runInfo.Capture.KernelDrops = &drops
		}
	}
	runInfo.Framing = &an.Link
	liveFacts(root, ifc, &runInfo)
	runInfo.RouterState = readRouterState(nc)
	doc := report.NewDocument(runInfo, res)
	if len(res.Client.DUID) == 0 && !f.passive {
		doc.DUIDFromIdentity(id.DUID, id.IAID)
	}
	cs, err := suggestConfig(nc, &doc)
	if err != nil {
		return fail(cannotRun{err, ""})
	}
	rs, err := prepareReport(doc, f.rep, f.config)
	if err != nil {
		return fail(err)
	}
	if err := writeReports(dir, rs); err != nil {
		return fail(err)
	}
	if err := cs.write(dir); err != nil {
		return fail(err)
	}
	bundleNotes, err := rs.writeBundle(dir, capPath, started)
	if err != nil {
		return fail(err)
	}
	if err := rs.printSummary(stdout, dir, f.quiet, bundleNotes); err != nil {
		return 0, err
	}
	cs.print(stdout, dir, f.quiet)
	return exitFor(res.Verdict), nil
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
