"""Commands (imperative: SubmitNeed) and events (past tense: NeedSubmitted) as plain data."""
