package models

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"modernc.org/sqlite"
)

// Classify says what a database error means for whoever must answer it, as a *models.Error wrapping it:
// bad data (SQLSTATE class 22, such as a NUL byte in text) is INVALID and a broken constraint (class 23)
// is CONFLICT, both final, so a process answers them instead of retrying them for a day; a database that
// does not answer (refused or lost connections, shutdown, too many clients, a deadlock) is UNAVAILABLE,
// which the API answers with 503 and activities retry. Errors that are not the database's, and domain
// errors, pass unchanged.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch class := pg.Code[:2]; {
		case class == "22":
			return &Error{Code: CodeInvalid, Field: fieldOf(pg.ColumnName),
				Message: "a value was refused by the database: " + pg.Message, cause: err}
		case class == "23":
			return &Error{Code: CodeConflict, Message: "the change clashes with what is stored: " + pg.Message, cause: err}
		case class == "08", class == "53", class == "57", pg.Code == "40001", pg.Code == "40P01":
			return unavailable(err)
		}
		return err
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		switch lite.Code() & 0xff {
		case 19: // SQLITE_CONSTRAINT
			return &Error{Code: CodeConflict, Message: "the change clashes with what is stored", cause: err}
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return unavailable(err)
		}
		return err
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) || errors.Is(err, gorm.ErrForeignKeyViolated) ||
		errors.Is(err, gorm.ErrCheckConstraintViolated) {
		return &Error{Code: CodeConflict, Message: "the change clashes with what is stored", cause: err}
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, context.DeadlineExceeded) ||
		pgconn.Timeout(err) || strings.Contains(err.Error(), "failed to connect") {
		return unavailable(err)
	}
	return err
}

func unavailable(err error) *Error {
	return &Error{Code: CodeUnavailable, Message: "the database did not answer; try again in a moment", cause: err}
}

func fieldOf(column string) string {
	// Columns are snake_case; fields are the JSON camelCase names clients know.
	parts := strings.Split(column, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
