package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// httpStatus maps each domain error code to its HTTP status; the only place that does.
var httpStatus = map[string]int{
	models.CodeInvalid:         http.StatusBadRequest,
	models.CodeUnauthenticated: http.StatusUnauthorized,
	models.CodeForbidden:       http.StatusForbidden,
	models.CodeNotFound:        http.StatusNotFound,
	models.CodeConflict:        http.StatusConflict,
	models.CodeGone:            http.StatusGone,
	models.CodeRefused:         http.StatusUnprocessableEntity,
	models.CodeTooLarge:        http.StatusRequestEntityTooLarge,
	models.CodeNotJSON:         http.StatusUnsupportedMediaType,
	models.CodeUnavailable:     http.StatusServiceUnavailable,
	models.CodeInternal:        http.StatusInternalServerError,
}

// StatusOf is the HTTP status an error answers with; a database that does not answer is a 503, bad
// data it refused a 400, a constraint a 409 (models.Classify).
func StatusOf(err error) int {
	if s, ok := httpStatus[models.ErrorCode(models.Classify(err))]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// asDomainError returns the *models.Error in err's chain, or a generic internal error that hides the
// details (they are logged, not shown).
func asDomainError(err error) *models.Error {
	var e *models.Error
	if errors.As(models.Classify(err), &e) {
		return e
	}
	return &models.Error{Code: models.CodeInternal, Message: "something went wrong on our side; it was logged"}
}

// handle adapts a JSON handler that returns its error: an error is answered through the one error map
// above (writeError), so a handler says `return err` where it would answer and stop; nil means the
// handler has answered. Pages keep their own error page (appError): they are not run through it.
func (s *Server) handle(fn func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := fn(c); err != nil {
			s.writeError(c, err)
		}
	}
}

// jsonOr answers v with status unless err is set, which it returns for handle to answer.
func jsonOr(c *gin.Context, status int, v any, err error) error {
	if err != nil {
		return err
	}
	c.JSON(status, v)
	return nil
}

// writeError answers {"error":{"code","message","field","details"}} with the mapped status.
func (s *Server) writeError(c *gin.Context, err error) { WriteError(c, s.log, err) }

// WriteError answers an error as every JSON route does: {"error":{"code","message","field","details"}}
// with its mapped status. A 5xx shows only a generic message and is logged with its cause: what went
// wrong inside (a connection string, a query) is never shown to the caller.
func WriteError(c *gin.Context, log *slog.Logger, err error) {
	status := StatusOf(err)
	if status >= 500 {
		log.ErrorContext(c.Request.Context(), "request failed", "path", c.FullPath(), "status", status, "error", err)
	}
	c.AbortWithStatusJSON(status, gin.H{"error": asDomainError(err)})
}
