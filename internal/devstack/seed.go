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
	{Email: "olivia@partnerx.com", Name: "Olivia OFM", Company: "partnerx.com", PlatformRoles: []string{models.RoleOFM}},
}

// Seed makes the demo users and Acme's ACTIVE account, with Alice its administrator; it is safe to run
// on every start.
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
	return seedOrders(ctx, db)
}
