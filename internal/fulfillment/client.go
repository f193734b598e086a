package fulfillment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultTimeout bounds each call of a Client without its own http.Client, so a hung service cannot
// hold a caller (a Temporal activity) past its own timeout; keep the activity's timeout above it.
const DefaultTimeout = 15 * time.Second

// maxAnswer bounds how much of an answer is read: an entitlement is a few hundred bytes, and a proxy's
// error page must not be read whole.
const maxAnswer = 1 << 20

// Operations and outcomes passed to Client.Observe, few and fixed so they can be metric labels.
const (
	OpDeposit = "deposit"
	OpGet     = "get"

	OutcomeCreated     = "created"     // 201: deposited now
	OutcomeExisting    = "existing"    // 200 on a deposit: deposited before, same content
	OutcomeFound       = "found"       // 200 on a get
	OutcomeNotFound    = "not_found"   // 404 NOT_FOUND on a get
	OutcomeInvalid     = "invalid"     // 400
	OutcomeConflict    = "conflict"    // 409
	OutcomeRejected    = "rejected"    // 422
	OutcomeUnavailable = "unavailable" // 5xx, timeout, connection error
	OutcomeUnexpected  = "unexpected"  // an answer outside the contract
)

var defaultHTTP = &http.Client{Timeout: DefaultTimeout}

// Client calls the fulfillment service. The zero value is not usable: BaseURL is required.
type Client struct {
	// BaseURL is the service's root, e.g. "https://fulfillment.example.com"; /v1/... is appended.
	BaseURL string
	// HTTP sends the requests; nil uses a shared client with DefaultTimeout.
	HTTP *http.Client
	// Observe, when set, is called once per request sent with its operation (OpDeposit, OpGet), its
	// outcome (Outcome...) and how long it took, so the caller can feed a histogram.
	Observe func(op, outcome string, d time.Duration)
}

// Deposit deposits a line's licenses and returns the entitlement; a repeat of an earlier deposit
// returns that deposit's entitlement. Errors are *InvalidError, *ConflictError or *RejectedError
// (permanent, see Permanent), *UnavailableError (transient) or *UnexpectedError.
func (c *Client) Deposit(ctx context.Context, d Deposit) (Entitlement, error) {
	body, err := json.Marshal(d)
	if err != nil {
		return Entitlement{}, fmt.Errorf("fulfillment: encode deposit: %w", err)
	}
	req, err := c.request(ctx, http.MethodPost, "/v1/entitlements", body)
	if err != nil {
		return Entitlement{}, err
	}
	start := time.Now()
	status, answer, err := c.send(req)
	var e Entitlement
	switch {
	case err != nil:
	case status == http.StatusCreated || status == http.StatusOK:
		e, err = decodeEntitlement(status, answer, d.OrderID, d.LineID)
	default:
		err = answerError(status, answer, d.OrderID, d.LineID, d.SKU)
	}
	outcome := OutcomeCreated
	if status == http.StatusOK {
		outcome = OutcomeExisting
	}
	c.observe(OpDeposit, outcome, err, start)
	return e, err
}

// Get returns the entitlement of a line and true, or false when the service holds none. Errors are
// as for Deposit.
func (c *Client) Get(ctx context.Context, orderID, lineID string) (Entitlement, bool, error) {
	switch {
	case orderID == "":
		return Entitlement{}, false, &InvalidError{Field: "orderId", Message: "orderId is empty"}
	case lineID == "":
		return Entitlement{}, false, &InvalidError{Field: "lineId", Message: "lineId is empty"}
	}
	req, err := c.request(ctx, http.MethodGet,
		"/v1/entitlements/"+url.PathEscape(orderID)+"/"+url.PathEscape(lineID), nil)
	if err != nil {
		return Entitlement{}, false, err
	}
	start := time.Now()
	status, answer, err := c.send(req)
	var e Entitlement
	found := false
	switch {
	case err != nil:
	case status == http.StatusOK:
		e, err = decodeEntitlement(status, answer, orderID, lineID)
		found = err == nil
	// Only the service's own 404 means "none": a 404 from a wrong base URL must not read as
	// "never deposited".
	case status == http.StatusNotFound && parseError(answer).Code == CodeNotFound:
	default:
		err = answerError(status, answer, orderID, lineID, "")
	}
	outcome := OutcomeFound
	if !found {
		outcome = OutcomeNotFound
	}
	c.observe(OpGet, outcome, err, start)
	return e, found, err
}

// observe reports one call; success names the outcome when err is nil, otherwise err's type does.
func (c *Client) observe(op, success string, err error, start time.Time) {
	if c.Observe == nil {
		return
	}
	outcome := success
	var (
		invalid     *InvalidError
		conflict    *ConflictError
		rejected    *RejectedError
		unavailable *UnavailableError
	)
	switch {
	case err == nil:
	case errors.As(err, &invalid):
		outcome = OutcomeInvalid
	case errors.As(err, &conflict):
		outcome = OutcomeConflict
	case errors.As(err, &rejected):
		outcome = OutcomeRejected
	case errors.As(err, &unavailable):
		outcome = OutcomeUnavailable
	default:
		outcome = OutcomeUnexpected
	}
	c.Observe(op, outcome, time.Since(start))
}

// request builds a call of the service; its errors are the caller's configuration, not the service's.
func (c *Client) request(ctx context.Context, method, path string, body []byte) (*http.Request, error) {
	if c.BaseURL == "" {
		return nil, errors.New("fulfillment: Client.BaseURL is not set")
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, rd)
	if err != nil {
		return nil, fmt.Errorf("fulfillment: build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// send sends a request and reads the whole answer.
func (c *Client) send(req *http.Request) (int, []byte, error) {
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	return exchange(hc, req)
}

// exchange turns every failure to get a whole answer into an *UnavailableError: none of them says
// anything about the request itself.
func exchange(hc *http.Client, req *http.Request) (int, []byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, &UnavailableError{Err: err}
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, nil, &UnavailableError{Status: resp.StatusCode, Err: fmt.Errorf("read answer: %w", err)}
	}
	return resp.StatusCode, answer, nil
}

// transientStatus also counts 408 and 429 because a proxy or a rate limiter in front of the service
// may answer them, and both pass.
func transientStatus(status int) bool {
	return status >= 500 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests
}

// answerError maps an error answer to its typed error; sku is "" where the call has none.
func answerError(status int, answer []byte, orderID, lineID, sku string) error {
	e := parseError(answer)
	msg := e.Message
	if msg == "" {
		msg = snippet(status, answer)
	}
	switch {
	case transientStatus(status):
		return &UnavailableError{Status: status, Err: errors.New(msg)}
	case status == http.StatusBadRequest:
		return &InvalidError{Field: e.Field, Message: msg}
	case status == http.StatusConflict:
		return &ConflictError{OrderID: orderID, LineID: lineID, Message: msg}
	case status == http.StatusUnprocessableEntity:
		return &RejectedError{SKU: sku, Message: msg}
	}
	return &UnexpectedError{Status: status, Message: msg}
}

// parseError is lenient: a body that is not the service's error shape gives an empty detail.
func parseError(answer []byte) errorDetail {
	var b errorBody
	_ = json.Unmarshal(answer, &b)
	return b.Error
}

// snippet describes an answer without the service's message: its status and the start of its body.
func snippet(status int, answer []byte) string {
	s := strings.TrimSpace(string(answer))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return http.StatusText(status)
	}
	return http.StatusText(status) + ": " + s
}

// decodeEntitlement ignores unknown fields so the service may add some without breaking us, but
// insists the entitlement is the line's: recording another line's entitlement would be worse than
// failing.
func decodeEntitlement(status int, answer []byte, orderID, lineID string) (Entitlement, error) {
	var e Entitlement
	if err := json.Unmarshal(answer, &e); err != nil {
		return Entitlement{}, &UnexpectedError{Status: status, Message: "the entitlement does not decode: " + err.Error()}
	}
	switch {
	case e.EntitlementID == "":
		return Entitlement{}, &UnexpectedError{Status: status, Message: "the entitlement has no entitlementId"}
	case e.OrderID != orderID || e.LineID != lineID:
		return Entitlement{}, &UnexpectedError{Status: status, Message: fmt.Sprintf(
			"asked for line %s/%s, the entitlement is of %s/%s", orderID, lineID, e.OrderID, e.LineID)}
	}
	return e, nil
}
