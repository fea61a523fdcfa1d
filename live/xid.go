package live

import (
	"github.com/v6diag/v6diag/internal/entropy"

	"github.com/v6diag/v6diag/dhcpv6"
)

func randomXID() dhcpv6.TransactionID {
	var x dhcpv6.TransactionID
	_ = entropy.Read(x[:]) // getrandom(2) fails only on kernels older than 3.17
	return x
}
