package models

// SearchQuery exposes SearchSmartAccounts's query to the plan test.
var SearchQuery = searchQuery

// RarestWord exposes the picker's choice of the word the trigram index is asked for.
var RarestWord = rarestWord

// ForgetSamples drops the picker's cached column samples, so a test sees the statistics it just made.
func ForgetSamples() {
	samples.Lock()
	samples.m = map[sampleKey]sampleEntry{}
	samples.Unlock()
}
