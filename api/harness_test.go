package api_test

// The handler tests run the real Gin router over a real (SQLite) database with a fake Processes, and
// check what a client of the HTTP API or of an emailed link would check.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/internal/apicontract"
	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

const testSecret = "test-secret-at-least-32-bytes-long!!"

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// startCall and decideCall record what the handlers asked of the processes.
type startCall struct {
	RequestID string
	Req       process.SARequest
}

type decideCall struct {
	WorkflowID string
	In         process.DecideInput
}

// fakeProcesses stands in for the Temporal workflows. By default StartSACreate records the request with
// the real store (as the workflow's first step does) and answers from it; Decide answers decideRes /
// decideErr; Status fails, as when no worker polls, so the handlers fall back to the database.
type fakeProcesses struct {
	store *activities.Store

	// What the test wants answered.
	startWaiting []models.Waiting
	startFn      func(ctx context.Context, rid string, req process.SARequest) (process.CreateResponse, error)
	decideRes    process.DecideResult
	decideErr    error
	decideFn     func(ctx context.Context, wfID string, in process.DecideInput) (process.DecideResult, error)
	status       process.Status
	statusErr    error
	// upgradeFn, when set, answers StartUpgrade instead of the store.
	upgradeFn func(ctx context.Context, in process.UpgradeInput) (process.UpgradeCreated, error)

	mu       sync.Mutex
	starts   []startCall
	decides  []decideCall
	statuses []string
}

// locked runs record under the fake's lock: the handlers call it from the server's goroutines.
func (f *fakeProcesses) locked(record func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	record()
}

func (f *fakeProcesses) StartSACreate(ctx context.Context, rid string, req process.SARequest) (process.CreateResponse, error) {
	f.locked(func() { f.starts = append(f.starts, startCall{RequestID: rid, Req: req}) })
	if f.startFn != nil {
		return f.startFn(ctx, rid, req)
	}
	return f.create(ctx, rid, req)
}

// create is what the workflow's first step does: the store decides and records the account.
func (f *fakeProcesses) create(ctx context.Context, rid string, req process.SARequest) (process.CreateResponse, error) {
	st, err := f.store.CreateSmartAccount(ctx, activities.CreateSAInput{RequestID: rid, WorkflowID: process.SACreateID(rid),
		SARequest: req, Window: activities.Window{At: time.Now(), Timing: process.DefaultTiming()}})
	if err != nil {
		return process.CreateResponse{}, process.DecodeError(err)
	}
	waiting := f.startWaiting
	if waiting == nil {
		waiting = []models.Waiting{}
	}
	return process.CreateResponse{SmartAccountID: st.SmartAccountID, Status: st.Status, Domain: st.Domain, SMB: st.SMB,
		WaitingOn: waiting, Why: st.Why}, nil
}

func (f *fakeProcesses) Decide(ctx context.Context, wfID string, in process.DecideInput) (process.DecideResult, error) {
	f.locked(func() { f.decides = append(f.decides, decideCall{WorkflowID: wfID, In: in}) })
	if f.decideFn != nil {
		return f.decideFn(ctx, wfID, in)
	}
	return f.decideRes, f.decideErr
}

func (f *fakeProcesses) Status(_ context.Context, wfID string) (process.Status, error) {
	f.locked(func() { f.statuses = append(f.statuses, wfID) })
	return f.status, f.statusErr
}

func (f *fakeProcesses) startCalls() []startCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]startCall(nil), f.starts...)
}

func (f *fakeProcesses) decideCalls() []decideCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]decideCall(nil), f.decides...)
}

// decideWithStore makes the fake's Decide apply the decision through the real store, as the workflow
// does, and answer what it led to.
func (f *fakeProcesses) decideWithStore(saID string) {
	f.decideFn = func(ctx context.Context, _ string, in process.DecideInput) (process.DecideResult, error) {
		st, err := f.store.DecideSmartAccount(ctx, activities.DecideSAInput{SmartAccountID: saID,
			Approve: in.Decision == process.Approve, Actor: in.Actor, Reason: in.Reason, Via: in.Via, TokenID: in.TokenID})
		if err != nil {
			return process.DecideResult{}, err
		}
		return process.DecideResult{SmartAccountID: st.SmartAccountID, Decision: in.Decision, Status: st.Status,
			DecidedBy: st.DecidedBy, DecidedAt: st.DecidedAt, Reason: st.Reason}, nil
	}
}

// harness is one server over a fresh database.
type harness struct {
	t     *testing.T
	db    *gorm.DB
	store *activities.Store
	fake  *fakeProcesses
	srv   http.Handler
	v     auth.Verifier
	// orders is the order processes' stand-in of a server with the portal (withPortal).
	orders *fakeOrders
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	db := testdb.NewSQLite(t)
	v, err := auth.NewVerifier(context.Background(), auth.Config{HS256Secret: testSecret})
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	store := &activities.Store{DB: db, Log: discard}
	fake := &fakeProcesses{store: store, statusErr: errors.New("no worker polls the task queue")}
	srv := api.New(api.Options{DB: db, Processes: fake, Verifier: v, Log: discard}).Handler()
	return &harness{t: t, db: db, store: store, fake: fake, srv: srv, v: v}
}

// reconfigure rebuilds the server over the same database, fake and verifier, with options changed.
func (h *harness) reconfigure(change func(*api.Options)) {
	h.t.Helper()
	o := api.Options{DB: h.db, Processes: h.fake, Verifier: h.v, Log: discard}
	change(&o)
	h.srv = api.New(o).Handler()
}

// token signs a real bearer token for email with the given platform roles.
func (h *harness) token(email string, roles ...string) string {
	h.t.Helper()
	return h.sign(auth.Signer{Secret: []byte(testSecret), TTL: time.Hour}, auth.Identity{Email: email,
		Name: strings.Split(email, "@")[0], Roles: roles})
}

func (h *harness) sign(s auth.Signer, id auth.Identity) string {
	h.t.Helper()
	tok, err := s.Sign(id)
	if err != nil {
		h.t.Fatalf("sign: %v", err)
	}
	return tok
}

// do sends a request; body is sent as is when a string, JSON-encoded otherwise; hdr are name, value pairs.
func (h *harness) do(method, path, tok string, body any, hdr ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	body, bad := unwrapBad(body)
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			h.t.Fatalf("encode body: %v", err)
		}
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if !bad {
		h.checkRequest(req, raw)
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	// Every answer of /api/v1 a handler test sees keeps to the OpenAPI document.
	if err := checkContract(req, rec); err != nil {
		h.t.Errorf("%v", err)
	}
	return rec
}

// contract is the OpenAPI document the handler tests check answers against.
var contract = sync.OnceValues(func() (*apicontract.Contract, error) { return apicontract.Load(api.OpenAPIDocument()) })

func checkContract(req *http.Request, rec *httptest.ResponseRecorder) error {
	c, err := contract()
	if err != nil {
		return err
	}
	return c.Check(req, rec.Code, rec.Header(), rec.Body.Bytes())
}

// form posts an HTML form, as a browser does from an emailed link's page; hdr are name, value pairs
// (the Origin and Sec-Fetch-Site a browser adds).
func (h *harness) form(path string, values url.Values, hdr ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec
}

var hq = models.Address{Company: "Acme Inc", Line1: "1 Main St", City: "San Jose", Region: "CA", PostalCode: "95134", Country: "US"}

// createSA records an account as the creation workflow's first step would.
func (h *harness) createSA(requestID, name, domain string, vis models.Visibility, requester string, nominees ...string) models.SmartAccount {
	h.t.Helper()
	ctx := context.Background()
	if nominees == nil {
		nominees = []string{}
	}
	st, err := h.store.CreateSmartAccount(ctx, activities.CreateSAInput{RequestID: requestID,
		WorkflowID: process.SACreateID(requestID), SARequest: process.SARequest{Name: name, Domain: domain, Visibility: vis,
			Headquarters: hq, NominatedAdmins: nominees, Requester: models.Person{Email: requester, Name: strings.Split(requester, "@")[0]}},
		Window: activities.Window{At: time.Now(), Timing: process.DefaultTiming()}})
	if err != nil {
		h.t.Fatalf("create %s: %v", name, err)
	}
	return h.account(st.SmartAccountID)
}

// fixture creates an account as createSA does and stops the test unless the account is then in status want.
func (h *harness) fixture(want models.SAStatus, requestID, name, domain string, vis models.Visibility, requester string,
	nominees ...string) models.SmartAccount {
	h.t.Helper()
	sa := h.createSA(requestID, name, domain, vis, requester, nominees...)
	if sa.Status != want {
		h.t.Fatalf("fixture: %s is %s, want %s", name, sa.Status, want)
	}
	return sa
}

// count is the number of rows of model's table, of those where selects (a condition and its values) when given.
func (h *harness) count(model any, where ...any) int64 {
	h.t.Helper()
	q := h.db.Model(model)
	if len(where) > 0 {
		q = q.Where(where[0], where[1:]...)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		h.t.Fatalf("count %T: %v", model, err)
	}
	return n
}

func (h *harness) account(id string) models.SmartAccount {
	h.t.Helper()
	sa, err := models.FindSmartAccount(context.Background(), h.db, id)
	if err != nil {
		h.t.Fatalf("read account %s: %v", id, err)
	}
	return sa
}

// acme is the ACTIVE Acme account of acme.com: alice requested it, bob was nominated; both administer it.
func (h *harness) acme() models.SmartAccount {
	h.t.Helper()
	return h.fixture(models.SAActive, "req-acme", "Acme", "acme.com", models.VisibilityUnrestricted, "alice@acme.com",
		"bob@acme.com")
}

// engineering is carol's request for eng.acme.com, which waits for Acme's administrators.
func (h *harness) engineering() models.SmartAccount {
	h.t.Helper()
	return h.fixture(models.SAPendingApproval, "req-eng", "Acme Engineering", "eng.acme.com", models.VisibilityUnrestricted,
		"carol@acme.com")
}

// labs is a RESTRICTED, ACTIVE account of acme.com administered by dave (approved by alice).
func (h *harness) labs() models.SmartAccount {
	h.t.Helper()
	sa := h.createSA("req-labs", "Acme Labs", "labs.acme.com", models.VisibilityRestricted, "dave@acme.com")
	if _, err := h.store.DecideSmartAccount(context.Background(), activities.DecideSAInput{SmartAccountID: sa.ID,
		Approve: true, Actor: "alice@acme.com", Via: process.ViaAPI}); err != nil {
		h.t.Fatalf("approve labs: %v", err)
	}
	sa = h.account(sa.ID)
	if sa.Status != models.SAActive {
		h.t.Fatalf("fixture: Acme Labs is %s, want ACTIVE", sa.Status)
	}
	return sa
}

// foreignDomain is carol@other.com's request for a domain outside her own: it waits for Cisco.
func (h *harness) foreignDomain(vis models.Visibility) models.SmartAccount {
	h.t.Helper()
	sa := h.createSA("req-foreign", "Widgets", "widgets.org", vis, "carol@other.com")
	if sa.Status != models.SAPendingDomainApproval {
		h.t.Fatalf("fixture: Widgets is %s, want PENDING_DOMAIN_APPROVAL", sa.Status)
	}
	return sa
}

// createBody is a valid POST /smart-accounts body.
func createBody(name, domain string) map[string]any {
	b := map[string]any{"name": name, "visibility": "UNRESTRICTED", "noteToApprover": "",
		"headquarters": map[string]any{"company": "Acme Inc", "line1": "1 Main St", "city": "San Jose",
			"region": "CA", "postalCode": "95134", "country": "US"},
		"nominatedAdmins": []string{}}
	if domain != "" {
		b["domain"] = domain
	}
	return b
}

// apiError is the error body every /api route answers with.
type apiError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Field   string         `json:"field"`
	Details map[string]any `json:"details"`
}

// errorOf checks the status and that the body is {"error":{...}} JSON, and returns the error.
func errorOf(t *testing.T, rec *httptest.ResponseRecorder, status int) apiError {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body %s", ct, rec.Body)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body is not JSON: %v; body %s", err, rec.Body)
	}
	if len(body) != 1 || body["error"] == nil {
		t.Fatalf("body %s, want exactly {\"error\":{…}}", rec.Body)
	}
	var e apiError
	if err := json.Unmarshal(body["error"], &e); err != nil {
		t.Fatalf("error member: %v; body %s", err, rec.Body)
	}
	if e.Code == "" || e.Message == "" {
		t.Fatalf("error without code or message: %s", rec.Body)
	}
	return e
}

// jsonOf checks the status and decodes the JSON body into a generic map.
func jsonOf(t *testing.T, rec *httptest.ResponseRecorder, status int) map[string]any {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v; body %s", err, rec.Body)
	}
	return m
}

// rfc3339UTC checks a JSON time as clients parse it: RFC 3339, in UTC ("Z").
func rfc3339UTC(t *testing.T, what string, v any) time.Time {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%s = %#v, want an RFC 3339 string", what, v)
	}
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%s = %q is not RFC 3339: %v", what, s, err)
	}
	if !strings.HasSuffix(s, "Z") {
		t.Errorf("%s = %q, want UTC (ending in Z)", what, s)
	}
	return at
}

// list reads a JSON array member as objects.
func list(t *testing.T, v any, what string) []map[string]any {
	t.Helper()
	arr, ok := v.([]any)
	if !ok {
		t.Fatalf("%s = %#v, want a JSON array", what, v)
	}
	out := make([]map[string]any, len(arr))
	for i, x := range arr {
		m, ok := x.(map[string]any)
		if !ok {
			t.Fatalf("%s[%d] = %#v, want an object", what, i, x)
		}
		out[i] = m
	}
	return out
}

// fieldOf is each object's member key, as text (nil for no objects).
func fieldOf(objects []map[string]any, key string) []string {
	var out []string
	for _, o := range objects {
		out = append(out, fmt.Sprint(o[key]))
	}
	return out
}

func strs(t *testing.T, v any, what string) []string {
	t.Helper()
	if v == nil {
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		t.Fatalf("%s = %#v, want a JSON array", what, v)
	}
	out := make([]string, len(arr))
	for i, x := range arr {
		out[i], _ = x.(string)
	}
	return out
}
