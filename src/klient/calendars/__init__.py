"""Business calendars: working hours, breaks, holidays, time zones, and working-time arithmetic."""
