package process

import "github.com/licensecentral/clc/models"

// SMBUpgradeID is the workflow id of an SMB account's upgrade: one at a time per account.
func SMBUpgradeID(smartAccountID string) string { return "sa-upgrade/" + smartAccountID }

// UpgradeInput starts the upgrade of an SMB account to a standard one, as the API validated it.
type UpgradeInput struct {
	UpgradeID      string            `json:"upgradeId"`
	SmartAccountID string            `json:"smartAccountId"`
	Requester      models.Person     `json:"requester"`
	Name           string            `json:"name"`
	Domain         string            `json:"domain"`
	Headquarters   models.Address    `json:"headquarters"`
	Visibility     models.Visibility `json:"visibility"`
	Timing         Timing            `json:"timing"`
}

// UpgradeCreated answers the upgrade request with what the rules decided.
type UpgradeCreated struct {
	UpgradeID      string               `json:"upgradeId"`
	SmartAccountID string               `json:"smartAccountId"`
	Status         models.UpgradeStatus `json:"status"`
	Domain         string               `json:"domain"`
	WaitingOn      []models.Waiting     `json:"waitingOn"`
	Why            string               `json:"why,omitempty"`
}

// UpgradeResult is how the upgrade ended.
type UpgradeResult struct {
	UpgradeID string               `json:"upgradeId"`
	Status    models.UpgradeStatus `json:"status"`
	DecidedBy string               `json:"decidedBy,omitempty"`
	Reason    string               `json:"reason,omitempty"`
}
