"""The observer's phone pages: the mission's stations, the visit form, sent visits."""
