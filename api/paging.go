package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// pageLimit reads the limit query parameter: def when absent, 1 to most.
func pageLimit(c *gin.Context, def, most int) (int, error) {
	v := c.Query("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		return 0, models.Invalid("limit", "limit must be between 1 and %d", most)
	}
	return n, nil
}

// afterCursor reads the after query parameter, the cursor a previous page answered as next, with the
// list's decode: nil when absent, decode's error (invalid "after") when it is not one.
func afterCursor[C any](c *gin.Context, decode func(string) (C, error)) (*C, error) {
	a := c.Query("after")
	if a == "" {
		return nil, nil
	}
	cur, err := decode(a)
	if err != nil {
		return nil, err
	}
	return &cur, nil
}
