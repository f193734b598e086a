package devstack

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// demoOrders are orders of Acme, resold by Partner X, waiting to be assigned: Bob is their fulfillment
// contact, Olivia (OFM of partnerx.com) may assign them too, and the stocking order cannot be.
var demoOrders = []struct {
	id   string
	typ  models.OrderType
	days int
}{{"WO-1001", models.OrderStandard, 3}, {"WO-1002", models.OrderStandard, 2}, {"WO-1003", models.OrderStocking, 1}}

// seedOrders records the demo orders as commerce would send them; their processes start with the first
// action on them. Recording is idempotent, so every start may run it.
func seedOrders(ctx context.Context, db *gorm.DB) error {
	store := &activities.Store{DB: db}
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, d := range demoOrders {
		o := models.Order{ID: d.id, Type: d.typ, PurchaseOrder: "PO-" + d.id[3:], WorkflowID: process.OrderWorkflowID(d.id),
			EndCustomer: models.Party{Name: "Acme Corporation", Email: "it@acme.com"}, Reseller: models.Party{Name: "Partner X", Domain: "partnerx.com"},
			FulfillmentContact: "bob@acme.com", BookedAt: now.AddDate(0, 0, -d.days), PayloadHash: "demo-" + d.id}
		lines := []models.OrderLine{
			{ID: "1", SKU: "C9300-DNA-E-3Y", Description: "DNA Essentials, 3 years", Kind: models.LineProduct, Quantity: 10, SmartLicense: true, SAMandatory: true, TermMonths: 36},
			{ID: "2", SKU: "CON-SNT-C9300", Description: "Smart Net Total Care", Kind: models.LineCiscoService, Quantity: 10, TermMonths: 36},
			{ID: "3", SKU: "PX-ADVISE", Description: "Partner X advisory services", Kind: models.LinePartnerService, Quantity: 1},
		}
		models.PrepareOrder(&o, lines, now)
		if _, err := store.RecordOrder(ctx, process.IngestInput{Order: o, Lines: lines}); err != nil {
			return fmt.Errorf("demo order %s: %w", d.id, err)
		}
	}
	return nil
}
