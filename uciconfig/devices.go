package uciconfig

// InterfacesOn returns the names of the interfaces whose traffic runs on
// the Linux device dev, in file order, resolved as WANDevice resolves
// them (aliases, protocol devices, bridges): "wan" and "wan6" on a
// default config's WAN device. The router's firewall names the zones'
// members by these names (the zone's 'network' list).
func (f *File) InterfacesOn(dev string) []string {
	var out []string
	for _, i := range f.Interfaces() {
		if d, ok := f.l3Device(i.Name, 0); ok && d == dev {
			out = append(out, i.Name)
		}
	}
	return out
}
