package models

import (
	"fmt"

	"gorm.io/gorm"
)

// findAll reads every row q selects. A failed read is wrapped under what, formatted with args only
// then: most list queries of this package are this one read and its error.
func findAll[T any](q *gorm.DB, what string, args ...any) ([]T, error) {
	var out []T
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf(what+": %w", append(args, err)...)
	}
	return out, nil
}

// pluckAll reads one column of every row q selects, wrapping a failure as findAll does.
func pluckAll[T any](q *gorm.DB, column, what string, args ...any) ([]T, error) {
	var out []T
	if err := q.Pluck(column, &out).Error; err != nil {
		return nil, fmt.Errorf(what+": %w", append(args, err)...)
	}
	return out, nil
}
