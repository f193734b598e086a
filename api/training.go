package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// Training and demo requests (FEATURES TR1): anyone signed in asks; the case's process routes it and
// mails the requester; licensing ops list, schedule and close cases through their process.

// TrainingProcesses is what the training feature asks of the workflows.
type TrainingProcesses interface {
	StartTraining(ctx context.Context, in process.TrainingInput) (process.TrainingCreated, error)
	ScheduleTraining(ctx context.Context, id string, in process.TrainingScheduleInput) (process.TrainingAnswer, error)
	CloseTraining(ctx context.Context, id string, in process.TrainingCloseInput) (process.TrainingAnswer, error)
}

type trainingBody struct {
	Topic          models.TrainingTopic `json:"topic"`
	Portal         string               `json:"portal"`
	Message        string               `json:"message"`
	PreferredDates []string             `json:"preferredDates"`
	Attendees      []string             `json:"attendees"`
}

// validate checks the request and returns it as the process gets it: dates as YYYY-MM-DD from today on,
// attendees as addresses, normalized, each once.
func (b trainingBody) validate(today time.Time) (trainingBody, error) {
	if !slices.Contains(models.TrainingTopics, b.Topic) {
		return b, models.Invalid("topic", "topic must be SMART_ACCOUNTS, ORDERS, LICENSES or PORTAL_DEMO")
	}
	b.Portal = strings.ToUpper(strings.TrimSpace(b.Portal))
	if !slices.Contains(models.TrainingPortals, b.Portal) {
		return b, models.Invalid("portal", "portal must be CLC, CSSM or SCM")
	}
	b.Message = strings.TrimSpace(b.Message)
	if len([]rune(b.Message)) > models.MaxTrainingMessageLen {
		return b, models.Invalid("message", "message is longer than %d characters", models.MaxTrainingMessageLen)
	}
	if len(b.PreferredDates) > models.MaxTrainingDates {
		return b, models.Invalid("preferredDates", "at most %d preferred dates", models.MaxTrainingDates)
	}
	dates := []string{}
	for i, d := range b.PreferredDates {
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(d))
		if err != nil {
			return b, models.Invalid("preferredDates["+strconv.Itoa(i)+"]", "a preferred date is written YYYY-MM-DD")
		}
		if t.Before(today) {
			return b, models.Invalid("preferredDates["+strconv.Itoa(i)+"]", "%s is in the past", d)
		}
		dates = append(dates, t.Format(time.DateOnly))
	}
	b.PreferredDates = dates
	if len(b.Attendees) > models.MaxTrainingAttendees {
		return b, models.Invalid("attendees", "at most %d attendees", models.MaxTrainingAttendees)
	}
	people := []string{}
	for i, a := range b.Attendees {
		a = models.NormalizeEmail(a)
		if !models.ValidEmail(a) {
			return b, models.Invalid("attendees["+strconv.Itoa(i)+"]", "%q is not an email address", a)
		}
		if !slices.Contains(people, a) {
			people = append(people, a)
		}
	}
	b.Attendees = people
	return b, nil
}

func (s *Server) requestTraining(c *gin.Context) error {
	ctx := c.Request.Context()
	id := identity(c)
	var body trainingBody
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	body, err := body.validate(time.Now().UTC().Truncate(24 * time.Hour))
	if err != nil {
		return err
	}
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	if len(key) > 200 {
		return models.Invalid("Idempotency-Key", "Idempotency-Key is longer than 200 characters")
	}
	in := process.TrainingInput{RequestID: requestID(id.Email, "training-request\n"+key), Topic: body.Topic,
		Portal: body.Portal, Message: body.Message, PreferredDates: body.PreferredDates, Attendees: body.Attendees,
		Requester: models.Person{Email: id.Email, Name: id.Name}}
	if key == "" {
		in.RequestID = models.NewID()
	}
	if _, err := s.training.StartTraining(ctx, in); err != nil && !process.IsAlreadyStarted(err) {
		return err
	}
	tr, err := models.FindTrainingRequest(ctx, s.db, in.RequestID)
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "training requested", "trainingRequestId", tr.ID, "queue", tr.Queue, "by", id.Email)
	c.Header("Location", "/api/v1/training-requests/"+tr.ID)
	c.JSON(http.StatusCreated, trainingView(tr))
	return nil
}

// trainingStaff reports whether the caller works the cases.
func trainingStaff(c *gin.Context) bool { return identity(c).HasRole(models.RoleLicensingOps) }

// listTraining lists every case, by queue and status, to licensing ops and support; the requester's own
// to anyone else.
func (s *Server) listTraining(c *gin.Context) error {
	id := identity(c)
	f := models.TrainingFilter{Queue: c.Query("queue"), Status: models.TrainingStatus(strings.ToUpper(c.Query("status"))),
		After: c.Query("after")}
	f.Limit, _ = strconv.Atoi(c.DefaultQuery("limit", "50"))
	switch f.Status {
	case "", models.TrainingOpen, models.TrainingScheduled, models.TrainingClosed:
	default:
		return models.Invalid("status", "status must be OPEN, SCHEDULED or CLOSED")
	}
	if !trainingStaff(c) && !id.HasRole(models.RoleCiscoSupport) {
		f.RequestedBy = id.Email
	}
	list, err := models.TrainingRequests(c.Request.Context(), s.db, f)
	if err != nil {
		return err
	}
	out := make([]gin.H, 0, len(list))
	for _, tr := range list {
		out = append(out, trainingView(tr))
	}
	c.JSON(http.StatusOK, gin.H{"trainingRequests": out})
	return nil
}

// readTraining reads the route's case for its requester, its attendees, licensing ops and support; a
// case of someone else's is a 404, as an unknown one.
func (s *Server) readTraining(c *gin.Context) (models.TrainingRequest, error) {
	id := identity(c)
	tr, err := models.FindTrainingRequest(c.Request.Context(), s.db, c.Param("trainingId"))
	if err != nil {
		return tr, err
	}
	if tr.RequestedBy != id.Email && !slices.Contains(tr.Attendees, id.Email) && !trainingStaff(c) &&
		!id.HasRole(models.RoleCiscoSupport) {
		return tr, models.Errorf(models.CodeNotFound, "no training request %s", tr.ID)
	}
	return tr, nil
}

func (s *Server) getTraining(c *gin.Context) error {
	tr, err := s.readTraining(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, trainingView(tr))
	return nil
}

// opsTraining reads the route's case for licensing ops: others may not act on it.
func (s *Server) opsTraining(c *gin.Context) (models.TrainingRequest, error) {
	tr, err := s.readTraining(c)
	if err == nil && !trainingStaff(c) {
		err = models.Errorf(models.CodeForbidden, "only licensing ops (role licensing-ops) schedule and close training requests")
	}
	return tr, err
}

// opsTrainingBody reads the route's case for licensing ops, then the JSON body of their action into B.
func opsTrainingBody[B any](s *Server, c *gin.Context) (models.TrainingRequest, B, error) {
	var body B
	tr, err := s.opsTraining(c)
	if err == nil {
		err = DecodeJSON(c.Request, &body)
	}
	return tr, body, err
}

// scheduleBody is the body of POST /training-requests/{trainingId}/schedule.
type scheduleBody struct {
	ScheduledAt string `json:"scheduledAt"`
	Note        string `json:"note"`
}

// closeBody is the body of POST /training-requests/{trainingId}/close.
type closeBody struct {
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

func (s *Server) scheduleTraining(c *gin.Context) error {
	tr, body, err := opsTrainingBody[scheduleBody](s, c)
	var at time.Time
	if err == nil {
		if at, err = time.Parse(time.RFC3339, strings.TrimSpace(body.ScheduledAt)); err != nil {
			err = models.Invalid("scheduledAt", "scheduledAt must be an RFC 3339 time such as 2026-05-04T15:00:00Z")
		}
	}
	if err == nil {
		_, err = s.training.ScheduleTraining(c.Request.Context(), tr.ID, process.TrainingScheduleInput{ScheduledAt: at.UTC(),
			Note: strings.TrimSpace(body.Note), Actor: identity(c).Email})
	}
	return s.answerTraining(c, tr.ID, err)
}

func (s *Server) closeTraining(c *gin.Context) error {
	tr, body, err := opsTrainingBody[closeBody](s, c)
	if err == nil {
		_, err = s.training.CloseTraining(c.Request.Context(), tr.ID, process.TrainingCloseInput{
			Outcome: strings.ToUpper(strings.TrimSpace(body.Outcome)), Reason: strings.TrimSpace(body.Reason), Actor: identity(c).Email})
	}
	return s.answerTraining(c, tr.ID, err)
}

// answerTraining answers an ops action with the case as it is now, or the refusal; a case whose process
// ended is a 409 saying how it ended.
func (s *Server) answerTraining(c *gin.Context, id string, err error) error {
	if errors.Is(err, process.ErrProcessClosed) {
		err = models.Errorf(models.CodeConflict, "the training request %s is closed", id)
	}
	if err != nil {
		return err
	}
	tr, err := models.FindTrainingRequest(c.Request.Context(), s.db, id)
	return jsonOr(c, http.StatusOK, trainingView(tr), err)
}

// trainingView is a case as the API shows it, with whom it waits for.
func trainingView(tr models.TrainingRequest) gin.H {
	waiting := []models.Waiting{}
	switch tr.Status {
	case models.TrainingOpen:
		waiting = append(waiting, models.Waiting{Who: "queue:" + tr.Queue, Action: "schedule", Since: tr.CreatedAt})
	case models.TrainingScheduled:
		waiting = append(waiting, models.Waiting{Who: "queue:" + tr.Queue, Action: "close", Since: tr.UpdatedAt})
	}
	return gin.H{"id": tr.ID, "requestedBy": tr.RequestedBy, "topic": tr.Topic, "portal": tr.Portal, "message": tr.Message,
		"preferredDates": tr.PreferredDates, "attendees": tr.Attendees, "region": tr.Region, "queue": tr.Queue,
		"status": tr.Status, "scheduledAt": tr.ScheduledAt, "scheduleNote": tr.ScheduleNote, "outcome": tr.Outcome,
		"closeReason": tr.CloseReason, "closedAt": tr.ClosedAt, "createdAt": tr.CreatedAt, "waitingOn": waiting}
}

// noTraining stands in when the server was built without the training processes: reads work, every
// action answers 503.
type noTraining struct{}

var errNoTraining = &models.Error{Code: models.CodeUnavailable, Message: "the training processes are not available"}

func (noTraining) StartTraining(context.Context, process.TrainingInput) (process.TrainingCreated, error) {
	return process.TrainingCreated{}, errNoTraining
}

func (noTraining) ScheduleTraining(context.Context, string, process.TrainingScheduleInput) (process.TrainingAnswer, error) {
	return process.TrainingAnswer{}, errNoTraining
}

func (noTraining) CloseTraining(context.Context, string, process.TrainingCloseInput) (process.TrainingAnswer, error) {
	return process.TrainingAnswer{}, errNoTraining
}
