package devstack

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// demoUsers are the people of the demo; every run makes sure they exist.
var demoUsers = []models.User{
	{Email: "alice@acme.com", Name: "Alice Admin", Company: "Acme Corporation"},
	{Email: "bob@acme.com", Name: "Bob Builder", Company: "Acme Corporation"},
	{Email: "carol@globex.com", Name: "Carol Globex", Company: "Globex"},
	{Email: "approver@cisco.com", Name: "Cisco Licensing Approver", Company: "Cisco", PlatformRoles: []string{models.RoleCiscoApprover}},
	{Email: "pat@gmail.com", Name: "Pat Personal"},
	{Email: "olivia@partnerx.com", Name: "Olivia OFM", Company: "Partner X"},
}

// partnerX is the demo's partner, which resold the demo orders: Olivia administers it and is its Order
// Fulfillment Manager, so she may assign its orders.
var partnerX = models.PartnerInput{Domain: "partnerx.com", Name: "Partner X", Administrators: []string{"olivia@partnerx.com"},
	DistributorOf: []string{}}

// Seed makes the demo users, Acme's ACTIVE account, with Alice its administrator, and Partner X; it is
// safe to run on every start.
func Seed(ctx context.Context, db *gorm.DB) error {
	for _, u := range demoUsers {
		if _, err := models.UpsertUser(ctx, db, u); err != nil {
			return err
		}
	}
	store := &activities.Store{DB: db}
	st, err := store.CreateSmartAccount(ctx, activities.CreateSAInput{RequestID: "demo-acme", WorkflowID: "seed/demo-acme",
		SARequest: process.SARequest{Name: "Acme Corporation", Domain: "acme.com", Visibility: models.VisibilityUnrestricted,
			Headquarters: models.Address{Company: "Acme Corporation", Line1: "170 West Tasman Dr", City: "San Jose",
				Region: "CA", PostalCode: "95134", Country: "US"},
			Requester: models.Person{Email: "alice@acme.com", Name: "Alice Admin"}},
	})
	if err != nil {
		return err
	}
	if st.Status != models.SAActive {
		return fmt.Errorf("demo account is %s, not ACTIVE", st.Status)
	}
	if err := seedPartner(ctx, db); err != nil {
		return err
	}
	return seedOrders(ctx, db)
}

// seedPartner registers Partner X and designates Olivia its OFM the first time; a partner changed since
// (through the API) is left as it is.
func seedPartner(ctx context.Context, db *gorm.DB) error {
	_, created, err := models.RegisterPartner(ctx, db, models.ActorSystem, partnerX)
	if models.ErrorCode(err) == models.CodeConflict {
		return nil
	}
	if err != nil || !created {
		return err
	}
	_, err = models.SetPartnerOFMs(ctx, db, models.ActorSystem, partnerX.Domain, []string{"olivia@partnerx.com"})
	return err
}
