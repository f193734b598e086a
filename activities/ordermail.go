package activities

// OrderMail is what the mails about an order's assignment show.
type OrderMail struct {
	ID            string
	PurchaseOrder string
	EndCustomer   string
	Lines         int
	// Delegator is the fulfillment contact who delegated; Delegate whom they delegated to.
	Delegator, Delegate, Note string
	// SmartAccount and VirtualAccount are where the order went; By who assigned or revoked it.
	SmartAccount, VirtualAccount, By string
	// Outcome says in one sentence how the delegation ended.
	Outcome string
}
