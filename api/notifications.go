package api

import (
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// Notification preferences and the mails' unsubscribe links (FEATURES NO1). The preferences are applied in
// one place, the mail step (activities.Mailer.SendMail); here a person reads and changes them.

var unsubscribePage = pageTemplate("unsubscribe")

// unsubscribeRoutes adds the unsubscribe link's page (the preferences are JSON routes, routes.go).
func (s *Server) unsubscribeRoutes(r *gin.Engine) {
	// RFC 8058: a mail client POSTs "List-Unsubscribe=One-Click" to the link; GET only shows the page.
	r.GET("/u/:token", s.links.ByClientIP(), s.unsubscribePage)
	r.POST("/u/:token", s.links.ByClientIP(), s.sameOrigin, s.unsubscribe)
}

// notificationsView is the answer of GET and PUT /me/notifications.
type notificationsView struct {
	Categories []models.Category `json:"categories"`
	Deliveries []models.Delivery `json:"deliveries"`
	models.NotificationSettings
}

func (s *Server) myNotifications(c *gin.Context) error {
	settings, err := models.ReadNotificationSettings(c.Request.Context(), s.db, identity(c).Email)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, notificationsView{Categories: models.Categories, Deliveries: models.Deliveries,
		NotificationSettings: settings})
	return nil
}

// setMyNotifications changes the caller's deliveries for one account, or their defaults when no account
// is named; the categories left out keep their setting.
func (s *Server) setMyNotifications(c *gin.Context) error {
	ctx := c.Request.Context()
	id := identity(c)
	var body struct {
		SmartAccountID string            `json:"smartAccountId"`
		Categories     map[string]string `json:"categories"`
	}
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	if len(body.Categories) == 0 {
		return models.Invalid("categories", "categories must name at least one category, such as "+
			`{"ACCOUNT_CHANGES":"DAILY"}`)
	}
	set := map[models.Category]models.Delivery{}
	names := make([]string, 0, len(body.Categories))
	for k := range body.Categories {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		cat, d := models.Category(k), models.Delivery(body.Categories[k])
		if !cat.Valid() {
			return models.Invalid("categories."+k, "%s is not a category: ACCESS_REQUESTS, ORDERS_TO_ASSIGN, "+
				"PROVISIONING_DELAYS or ACCOUNT_CHANGES", k)
		}
		if !d.Valid() {
			return models.Invalid("categories."+k, "categories.%s must be IMMEDIATE, DAILY, WEEKLY or OFF", k)
		}
		set[cat] = d
	}
	if body.SmartAccountID != "" {
		if err := s.mayNotify(c, body.SmartAccountID); err != nil {
			return err
		}
	}
	if err := models.SetNotificationPreferences(ctx, s.db, id.Email, body.SmartAccountID, set, "api"); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "notification preferences changed", "user", id.Email, "smartAccountId", body.SmartAccountID)
	return s.myNotifications(c)
}

// mayNotify allows preferences on an account the caller holds a role on or is mailed about (they set a
// preference there before, or its unsubscribe link did); any other account is a 404, as for an unknown id.
func (s *Server) mayNotify(c *gin.Context, accountID string) error {
	ctx := c.Request.Context()
	id := identity(c)
	sa, err := models.FindSmartAccount(ctx, s.db, accountID)
	if err != nil {
		return models.Invalid("smartAccountId", "no Smart Account %s of yours", accountID)
	}
	roles, err := models.RolesOn(ctx, s.db, id.Email, sa.ID)
	if err != nil || len(roles) > 0 {
		return err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.NotificationPreference{}).
		Where("user_email = ? AND smart_account_id = ?", id.Email, sa.ID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return models.Invalid("smartAccountId", "no Smart Account %s of yours", accountID)
	}
	return nil
}

// unsubscribeView is what the unsubscribe page shows.
type unsubscribeView struct {
	pageData
	Category, AccountName, Recipient string
}

// openUnsubscribe reads the link of the route and what it is about; an unknown link answers its page.
func (s *Server) openUnsubscribe(c *gin.Context) (models.UnsubscribeLink, unsubscribeView, bool) {
	ctx := c.Request.Context()
	l, err := models.FindUnsubscribeLink(ctx, s.db, c.Param("token"))
	if err != nil {
		s.renderError(c, err, nil)
		return l, unsubscribeView{}, false
	}
	v := unsubscribeView{pageData: pageData{Title: "Unsubscribe"}, Category: l.Category.Title(), Recipient: l.Recipient}
	if l.SmartAccountID != "" {
		if sa, err := models.FindSmartAccount(ctx, s.db, l.SmartAccountID); err == nil {
			v.AccountName = sa.Name
		}
	}
	return l, v, true
}

func (s *Server) unsubscribePage(c *gin.Context) {
	if _, v, ok := s.openUnsubscribe(c); ok {
		s.writePage(c, http.StatusOK, unsubscribePage, v)
	}
}

// unsubscribe turns the link's category off for its recipient on its account: the one-click POST of a
// mail client, or the page's button. Doing it again changes nothing more and says the same.
func (s *Server) unsubscribe(c *gin.Context) {
	l, v, ok := s.openUnsubscribe(c)
	if !ok {
		return
	}
	if _, err := readForm(c.Request); err != nil {
		s.renderError(c, err, nil)
		return
	}
	ctx := c.Request.Context()
	err := models.SetNotificationPreferences(ctx, s.db, l.Recipient, l.SmartAccountID,
		map[models.Category]models.Delivery{l.Category: models.DeliveryOff}, "unsubscribe")
	if err != nil {
		s.renderError(c, err, nil)
		return
	}
	s.log.InfoContext(ctx, "unsubscribed", "user", l.Recipient, "smartAccountId", l.SmartAccountID, "category", l.Category)
	where := "that are about no single Smart Account"
	if v.AccountName != "" {
		where = "for the Smart Account " + v.AccountName
	}
	s.renderMessage(c, http.StatusOK, pageData{Title: "Unsubscribed",
		Message: l.Recipient + " gets no more mails about " + v.Category + " " + where + ".",
		Detail:  "Tasks that need your decision are still mailed. Change it again in your notification preferences."})
}
