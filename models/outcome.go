package models

import (
	"fmt"
	"strings"
)

// Outcome sentences say in one line what a decision did. The store records the sentence with the link
// that carried the decision, in the decision's own transaction, and the page that answers the link
// shows the same sentence then and whenever the link is opened again.

// ApprovalOutcome says what approving or declining a pending account led to.
func ApprovalOutcome(approved bool, sa SmartAccount) string {
	if approved {
		return fmt.Sprintf("Approved. The Smart Account %s is now %s.", sa.Name, sa.Status)
	}
	return fmt.Sprintf("Declined. The Smart Account request %s is %s.", sa.Name, sa.Status)
}

// DomainOutcome says what Cisco's decision on an account's domain led to.
func DomainOutcome(approved bool, sa SmartAccount) string {
	if approved {
		return fmt.Sprintf("Domain approved. The Smart Account %s is now %s.", sa.Name, sa.Status)
	}
	return fmt.Sprintf("Declined. The Smart Account request %s is %s.", sa.Name, sa.Status)
}

// CustomerOutcome says what a customer contact's answer (ACCEPT, DECLINE, or SUBMIT of the address)
// led to.
func CustomerOutcome(decision string, sa SmartAccount) string {
	verb := map[string]string{"ACCEPT": "Accepted", "DECLINE": "Declined", "SUBMIT": "Address saved"}[decision]
	return fmt.Sprintf("%s. The Smart Account %s is now %s.", verb, sa.Name, sa.Status)
}

// AccessOutcome says what a decision on an access request (APPROVE, DECLINE or DELEGATE) led to.
func AccessOutcome(decision string, ar AccessRequest) string {
	switch decision {
	case "DELEGATE":
		return fmt.Sprintf("Handed over. %s decides now.", ar.DelegatedTo)
	case "DECLINE":
		return fmt.Sprintf("Declined. The access request of %s is DECLINED.", ar.RequestedBy)
	}
	scope := ""
	if ar.Role.VARole() {
		scope = fmt.Sprintf(" on %d virtual account(s)", len(ar.VirtualAccounts)-len(ar.DeclinedVirtualAccounts))
		if n := len(ar.DeclinedVirtualAccounts); n > 0 {
			scope += fmt.Sprintf(", %d declined", n)
		}
	}
	who := strings.Join(ar.ForEmails, ", ")
	if ar.PartnerDomain != "" {
		who = "The people of the partner " + ar.PartnerDomain
	}
	return fmt.Sprintf("Approved. %s now hold %s%s.", who, ar.Role.Title(), scope)
}

// UpgradeOutcome says where a decision left an SMB account's upgrade.
func UpgradeOutcome(u SAUpgrade) string {
	switch u.Status {
	case UpgradeApproved:
		return fmt.Sprintf("Approved. The account is now the standard Smart Account %s (%s).", u.Name, u.Domain)
	case UpgradePendingApproval:
		return fmt.Sprintf("Domain approved. The upgrade now waits for the administrators of %s's ACTIVE Smart Account.", u.TLD)
	}
	return "Declined. The account stays an SMB account."
}

// AssignOutcome says where an assignment through a delegation sent an order.
func AssignOutcome(orderID, smartAccount, virtualAccount string) string {
	return fmt.Sprintf("Assigned. Order %s now goes to the Smart Account %s, virtual account %s.", orderID, smartAccount,
		virtualAccount)
}
