package dhcpv6

// Message types beyond RFC 8415's client/server exchange, from the IANA
// "DHCPv6 Message Types" registry. A client on a WAN never sends them, but
// a capture taken at a relay or on a provider's side may hold them, and a
// report names them rather than calling them unknown.
const (
	MessageTypeLeasequery         MessageType = 14 // RFC 5007 §4.2
	MessageTypeLeasequeryReply    MessageType = 15 // RFC 5007 §4.2
	MessageTypeLeasequeryDone     MessageType = 16 // RFC 5460 §5.2
	MessageTypeLeasequeryData     MessageType = 17 // RFC 5460 §5.2
	MessageTypeReconfigureRequest MessageType = 18 // RFC 6977 §6.2
	MessageTypeReconfigureReply   MessageType = 19 // RFC 6977 §6.2
	MessageTypeDHCPv4Query        MessageType = 20 // RFC 7341 §5
	MessageTypeDHCPv4Response     MessageType = 21 // RFC 7341 §5
	MessageTypeActiveLeasequery   MessageType = 22 // RFC 7653 §5
	MessageTypeStartTLS           MessageType = 23 // RFC 7653 §5
	MessageTypeBndUpd             MessageType = 24 // RFC 8156 §4
	MessageTypeBndReply           MessageType = 25 // RFC 8156 §4
	MessageTypePoolReq            MessageType = 26 // RFC 8156 §4
	MessageTypePoolResp           MessageType = 27 // RFC 8156 §4
	MessageTypeUpdReq             MessageType = 28 // RFC 8156 §4
	MessageTypeUpdReqAll          MessageType = 29 // RFC 8156 §4
	MessageTypeUpdDone            MessageType = 30 // RFC 8156 §4
	MessageTypeConnect            MessageType = 31 // RFC 8156 §4
	MessageTypeConnectReply       MessageType = 32 // RFC 8156 §4
	MessageTypeDisconnect         MessageType = 33 // RFC 8156 §4
	MessageTypeState              MessageType = 34 // RFC 8156 §4
	MessageTypeContact            MessageType = 35 // RFC 8156 §4
)

// Spec returns the RFC section that defines t and what the message is
// for, in a few words a report can use; both are "" for the RFC 8415
// kinds and for unassigned numbers.
func (t MessageType) Spec() (rfc, what string) {
	switch t {
	case MessageTypeLeasequery:
		return "RFC 5007 §4.2", "a relay or access concentrator asks the server about a lease"
	case MessageTypeLeasequeryReply:
		return "RFC 5007 §4.2", "the server answers a Leasequery"
	case MessageTypeLeasequeryDone:
		return "RFC 5460 §5.2", "the server ends a bulk Leasequery"
	case MessageTypeLeasequeryData:
		return "RFC 5460 §5.2", "the server sends one lease of a bulk Leasequery"
	case MessageTypeReconfigureRequest:
		return "RFC 6977 §6.2", "a relay asks the server to reconfigure a client"
	case MessageTypeReconfigureReply:
		return "RFC 6977 §6.2", "the server answers a Reconfigure-request"
	case MessageTypeDHCPv4Query:
		return "RFC 7341 §5", "a client sends a DHCPv4 message over DHCPv6 (DHCPv4-over-DHCPv6)"
	case MessageTypeDHCPv4Response:
		return "RFC 7341 §5", "a server answers a DHCPv4 message over DHCPv6 (DHCPv4-over-DHCPv6)"
	case MessageTypeActiveLeasequery:
		return "RFC 7653 §5", "a requestor subscribes to lease changes over TCP"
	case MessageTypeStartTLS:
		return "RFC 7653 §5", "a requestor starts TLS on an Active Leasequery connection"
	}
	if t >= MessageTypeBndUpd && t <= MessageTypeContact {
		return "RFC 8156 §4", "two failover servers keep their bindings in step"
	}
	return "", ""
}

// IsClientMessage reports whether a client sends t to servers (RFC 8415
// §7.3): the messages whose Client ID names the client under diagnosis.
func (t MessageType) IsClientMessage() bool {
	switch t {
	case MessageTypeSolicit, MessageTypeRequest, MessageTypeConfirm, MessageTypeRenew, MessageTypeRebind,
		MessageTypeRelease, MessageTypeDecline, MessageTypeInformationRequest:
		return true
	}
	return false
}

// IsServerMessage reports whether a server sends t to a client (RFC 8415
// §7.3): Advertise, Reply, Reconfigure.
func (t MessageType) IsServerMessage() bool {
	return t == MessageTypeAdvertise || t == MessageTypeReply || t == MessageTypeReconfigure
}

// TowardClient reports whether t travels from the provider's side toward
// a client or a relay: a server's message, a Relay-repl, or the answer
// kinds of the later RFCs.
func (t MessageType) TowardClient() bool {
	switch t {
	case MessageTypeAdvertise, MessageTypeReply, MessageTypeReconfigure, MessageTypeRelayReply,
		MessageTypeLeasequeryReply, MessageTypeLeasequeryDone, MessageTypeLeasequeryData,
		MessageTypeReconfigureReply, MessageTypeDHCPv4Response:
		return true
	}
	return false
}
