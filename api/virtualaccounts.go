package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// vaRequest is the body of POST /smart-accounts/{id}/virtual-accounts.
type vaRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	ParentID    string `json:"parentId"`
	// Address is where the virtual account's assets are (the location export lists it); optional.
	Address *models.Address `json:"address"`
}

// vaAddress checks a virtual account's address: all of it, or nothing at all.
func vaAddress(a *models.Address) (*models.Address, error) {
	if a == nil || a.IsZero() {
		return a, nil
	}
	v, err := models.ValidAddress("address", *a)
	return &v, err
}

func validDescription(d string) (string, error) {
	d = strings.TrimSpace(d)
	if len(d) > 500 {
		return d, models.Invalid("description", "description is longer than 500 characters")
	}
	return d, nil
}

// createVirtualAccount adds a virtual account, nested under parentId when given (FEATURES AC6).
func (s *Server) createVirtualAccount(c *gin.Context) error {
	who, body, err := bind[vaRequest](c, s.load)
	if err != nil {
		return err
	}
	va, err := s.addVirtualAccount(c, who, body)
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/smart-accounts/"+who.sa.ID+"/virtual-accounts/"+va.ID)
	c.JSON(http.StatusCreated, va)
	return nil
}

// addVirtualAccount checks and creates a virtual account for the caller: the API's POST and the
// portal's form alike. SMB accounts keep their one DEFAULT virtual account until they are upgraded.
func (s *Server) addVirtualAccount(c *gin.Context, who caller, body vaRequest) (models.VirtualAccount, error) {
	ctx := c.Request.Context()
	in := models.VAInput{ParentID: strings.TrimSpace(body.ParentID)}
	var err error
	if in.Name, err = models.ValidVAName("name", body.Name); err != nil {
		return models.VirtualAccount{}, err
	}
	if in.Description, err = validDescription(body.Description); err != nil {
		return models.VirtualAccount{}, err
	}
	if a, err := vaAddress(body.Address); err != nil {
		return models.VirtualAccount{}, err
	} else if a != nil {
		in.Address = *a
	}
	support, err := s.adminWrite(c, who)
	if err != nil {
		return models.VirtualAccount{}, err
	}
	if who.sa.SMB {
		return models.VirtualAccount{}, models.Errorf(models.CodeRefused, "%s is an SMB account: its capabilities are limited to the DEFAULT virtual account until it is upgraded to a standard Smart Account", who.sa.Name)
	}
	if who.sa.Status != models.SAActive {
		return models.VirtualAccount{}, models.Errorf(models.CodeConflict, "the Smart Account is %s: virtual accounts are added once it is ACTIVE", who.sa.Status)
	}
	in.SupportReason = support
	va, err := models.CreateVirtualAccount(ctx, s.db, who.id.Email, who.sa.ID, in)
	if err != nil {
		return va, err
	}
	s.log.InfoContext(ctx, "virtual account created", "smartAccountId", who.sa.ID, "virtualAccountId", va.ID, "by", who.id.Email)
	return va, nil
}

// vaPatchRequest is the body of PATCH /smart-accounts/{id}/virtual-accounts/{vaId}. parentId is kept
// raw to tell "absent" (no move) from null (move to the top level).
type vaPatchRequest struct {
	Name        *string         `json:"name"`
	Description *string         `json:"description"`
	ParentID    json.RawMessage `json:"parentId"`
	IsDefault   *bool           `json:"isDefault"`
	Address     *models.Address `json:"address"`
}

// updateVirtualAccount renames, describes, moves or makes default a virtual account. A Virtual Account
// Administrator may rename and describe the ones they administer; moving and the default are the Smart
// Account Administrators'.
func (s *Server) updateVirtualAccount(c *gin.Context) error {
	ctx := c.Request.Context()
	who, err := s.load(c)
	if err != nil {
		return err
	}
	vaID := c.Param("vaId")
	if _, err := models.FindVirtualAccount(ctx, s.db, who.sa.ID, vaID); err != nil {
		return err
	}
	var body vaPatchRequest
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	ch := vaChange{Name: body.Name, Description: body.Description, Address: body.Address, IsDefault: body.IsDefault}
	if len(body.ParentID) > 0 {
		ch.Move = true
		if !bytes.Equal(bytes.TrimSpace(body.ParentID), []byte("null")) {
			if err := json.Unmarshal(body.ParentID, &ch.MoveTo); err != nil {
				return models.Invalid("parentId", "parentId must be a virtual account id or null")
			}
		}
	}
	va, err := s.changeVirtualAccount(c, who, vaID, ch)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, va)
	return nil
}

// vaChange is a change to a virtual account as the API's PATCH and the portal's forms read it: nil
// fields stay as they are; Move with an empty MoveTo moves it to the top level.
type vaChange struct {
	Name, Description *string
	Address           *models.Address
	Move              bool
	MoveTo            string
	IsDefault         *bool
}

// changeVirtualAccount checks and applies a change for the caller: a Virtual Account Administrator may
// rename and describe the ones they administer; moving and the default are the Smart Account
// Administrators'.
func (s *Server) changeVirtualAccount(c *gin.Context, who caller, vaID string, ch vaChange) (models.VirtualAccount, error) {
	var p models.VAPatch
	if ch.Name != nil {
		n, err := models.ValidVAName("name", *ch.Name)
		if err != nil {
			return models.VirtualAccount{}, err
		}
		p.Name = &n
	}
	if ch.Description != nil {
		d, err := validDescription(*ch.Description)
		if err != nil {
			return models.VirtualAccount{}, err
		}
		p.Description = &d
	}
	var err error
	if p.Address, err = vaAddress(ch.Address); err != nil {
		return models.VirtualAccount{}, err
	}
	p.Move, p.MoveTo = ch.Move, ch.MoveTo
	if ch.IsDefault != nil {
		if !*ch.IsDefault {
			return models.VirtualAccount{}, models.Invalid("isDefault", "isDefault can only be set to true: make another virtual account the default instead")
		}
		p.MakeDefault = true
	}
	support, err := s.adminWrite(c, who)
	if err != nil && (p.Move || p.MakeDefault || !who.vaAdmin(vaID)) {
		return models.VirtualAccount{}, err
	}
	p.SupportReason = support
	return models.UpdateVirtualAccount(c.Request.Context(), s.db, who.id.Email, who.sa.ID, vaID, p)
}

// virtualAccountTree answers the account's virtual accounts nested, in one call.
func (s *Server) virtualAccountTree(c *gin.Context) error {
	who, err := s.load(c)
	if err != nil {
		return err
	}
	vas, err := models.VirtualAccounts(c.Request.Context(), s.db, who.sa.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"smartAccountId": who.sa.ID, "virtualAccounts": models.VATree(vas)})
	return nil
}
