package workflows

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/licensecentral/clc/activities"
)

// store and mailer name the activities for ExecuteActivity; the worker registers the real ones.
var (
	store  *activities.Store
	mailer *activities.Mailer
)

// mailOptions retry a mail for as long as the relay is down: the mail log keeps retries from sending
// twice once a send was recorded.
func mailOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute},
	})
}

// storeRetryWindow is how long a store step is retried while the database does not answer. Without
// it the SDK bounds all attempts of a local activity by its StartToCloseTimeout (10 s): a failover
// would fail a decision for good and leave its request pending with no process left to decide it.
const storeRetryWindow = 24 * time.Hour

// lctx runs store steps as local activities: short transactions whose answer a person waits for,
// retried until the database answers.
func lctx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: storeRetryWindow,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, MaximumInterval: 10 * time.Second},
	})
}

func notify(ctx workflow.Context, key string, to []string, template string, data activities.MailData) workflow.Future {
	return workflow.ExecuteActivity(mailOptions(ctx), mailer.SendMail,
		activities.MailInput{Key: key, To: to, Template: template, Data: data})
}

// taskMails mails each recipient their own link; the mail key is workflow id + step + recipient.
func taskMails(ctx workflow.Context, workflowID, step, purpose, subjectID string, recipients []string,
	deadline time.Time, template string, data activities.MailData) []workflow.Future {
	fs := make([]workflow.Future, 0, len(recipients))
	for _, r := range recipients {
		fs = append(fs, workflow.ExecuteActivity(mailOptions(ctx), mailer.SendTaskMail, activities.TaskMailInput{
			Key: workflowID + "/" + step + "/" + r, Recipient: r, Purpose: purpose, WorkflowID: workflowID,
			SubjectID: subjectID, ExpiresAt: deadline, Template: template, Data: data,
		}))
	}
	return fs
}

// drain waits for mails in flight; a mail that failed for good is logged, not fatal to the process.
func drain(ctx workflow.Context, fs []workflow.Future) {
	for _, f := range fs {
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("mail failed", "error", err)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
