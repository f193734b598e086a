package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// MyRequests is what a person asked for (FEATURES X7, "my requests"): the Smart Accounts they requested,
// the access requests they made or are named in, the SMB upgrades they asked for, newest first, and
// the names of the accounts these concern.
type MyRequests struct {
	Accounts []SmartAccount
	Access   []AccessRequest
	Upgrades []SAUpgrade
	// Names are the names of the accounts of Access and Upgrades, by id.
	Names map[string]string
}

// RequestsBy reads up to limit of each kind of request a person made.
func RequestsBy(ctx context.Context, db *gorm.DB, email string, limit int) (MyRequests, error) {
	e := NormalizeEmail(email)
	out := MyRequests{Names: map[string]string{}}
	q := db.WithContext(ctx)
	if err := q.Where("requested_by = ?", e).Order("created_at DESC, id").Limit(limit).Find(&out.Accounts).Error; err != nil {
		return out, fmt.Errorf("accounts requested by %s: %w", e, err)
	}
	byAccount, err := AccessRequestsBy(ctx, db, e, limit)
	if err != nil {
		return out, err
	}
	ids := []string{}
	for id, ars := range byAccount {
		out.Access = append(out.Access, ars...)
		ids = append(ids, id)
	}
	if err := q.Where("requested_by = ?", e).Order("created_at DESC, id").Limit(limit).Find(&out.Upgrades).Error; err != nil {
		return out, fmt.Errorf("upgrades requested by %s: %w", e, err)
	}
	for _, u := range out.Upgrades {
		ids = append(ids, u.SmartAccountID)
	}
	if len(ids) > 0 {
		var sas []SmartAccount
		if err := q.Select("id", "name").Where("id IN ?", ids).Find(&sas).Error; err != nil {
			return out, fmt.Errorf("names of requested accounts: %w", err)
		}
		for _, sa := range sas {
			out.Names[sa.ID] = sa.Name
		}
	}
	return out, nil
}
