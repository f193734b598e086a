package models

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"time"
	"unicode"

	"gorm.io/gorm"
)

// The account picker's partial match (FEATURES OR3, X7) on PostgreSQL. A GIN trigram index answers
// LIKE '%needle%' by intersecting the posting lists of every trigram of the needle, and reads each
// whole: a trigram most values share (".com", "company", the synthetic book's "customer") costs as
// much as the table has rows. So the index is asked for the needle's rarest word only, and each row it
// finds is checked for the whole needle (strpos, which no index answers, so the planner keeps the
// index condition short). How rare a trigram is comes from the planner's own sample of the column
// (pg_stats), read once every few minutes.

// containing narrows q to the rows whose col contains needle (lower-cased already), as
// col LIKE '%needle%' would.
func containing(ctx context.Context, db *gorm.DB, q *gorm.DB, col, statsTable, statsColumn, needle string) *gorm.DB {
	probe := needle
	if DialectOf(db) == DialectPostgres {
		probe = rarestWord(needle, columnSample(ctx, db, statsTable, statsColumn))
	}
	if probe == needle {
		return q.Where(col+" LIKE ? ESCAPE '\\'", "%"+escapeLike(needle)+"%")
	}
	return q.Where(col+" LIKE ? ESCAPE '\\' AND strpos("+col+", ?) > 0", "%"+escapeLike(probe)+"%", needle)
}

// rarestWord is the word of needle (a run of letters and digits, three or more long) that costs the
// trigram index least, by the sample: the posting lists it reads (the sum of its trigrams' shares of
// the rows) and the rows it finds to check (about its rarest trigram's share), a row checked costing
// about a hundred postings read. The needle itself when it is one word, or the sample says nothing.
func rarestWord(needle string, sample []string) string {
	words := strings.FieldsFunc(needle, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) < 2 || len(sample) == 0 {
		return needle
	}
	share := func(t string) float64 {
		n := 0
		for _, v := range sample {
			if strings.Contains(v, t) {
				n++
			}
		}
		return float64(n+1) / float64(len(sample)+2)
	}
	best, bestCost := needle, 0.0
	for _, w := range words {
		r := []rune(w)
		if len(r) < 3 {
			continue
		}
		sum, rarest := 0.0, 1.0
		for i := 0; i+3 <= len(r); i++ {
			s := share(string(r[i : i+3]))
			sum += s
			rarest = min(rarest, s)
		}
		if cost := sum + 100*rarest; best == needle || cost < bestCost {
			best, bestCost = w, cost
		}
	}
	return best
}

// sampleTTL is how long a column's sample is kept: the planner's statistics change with ANALYZE only.
const sampleTTL = 5 * time.Minute

type sampleKey struct {
	db            *sql.DB
	table, column string
}

type sampleEntry struct {
	values []string
	at     time.Time
}

var samples = struct {
	sync.Mutex
	m map[sampleKey]sampleEntry
}{m: map[sampleKey]sampleEntry{}}

// columnSample is the planner's sample of a column (its most common values and histogram bounds,
// lower-cased), or nothing when the column has no statistics yet or they cannot be read.
func columnSample(ctx context.Context, db *gorm.DB, table, column string) []string {
	sqlDB, err := db.DB()
	if err != nil {
		return nil
	}
	k := sampleKey{sqlDB, table, column}
	samples.Lock()
	e, ok := samples.m[k]
	samples.Unlock()
	if ok && time.Since(e.at) < sampleTTL || db.DryRun {
		return e.values // a dry run (a plan test) reads no statistics
	}
	var values []string
	err = db.WithContext(ctx).Raw(`SELECT lower(v) FROM pg_stats s,
		unnest(COALESCE(s.most_common_vals::text::text[], '{}') || COALESCE(s.histogram_bounds::text::text[], '{}')) v
		WHERE s.schemaname = current_schema() AND s.tablename = ? AND s.attname = ?`, table, column).Scan(&values).Error
	if err != nil {
		values = nil
	}
	samples.Lock()
	samples.m[k] = sampleEntry{values: values, at: time.Now()}
	samples.Unlock()
	return values
}
