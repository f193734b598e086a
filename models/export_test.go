package models

// SearchQuery exposes SearchSmartAccounts's query to the plan test.
var SearchQuery = searchQuery
