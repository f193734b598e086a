package e2e

import (
	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/internal/mailcatch"
)

func activitiesSMTP(m *mailcatch.Server) activities.SMTPConfig {
	return activities.SMTPConfig{Host: m.Host(), Port: m.Port(), TLS: "none"}
}
