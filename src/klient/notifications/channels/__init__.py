"""The channels a message goes out on: in the app (the bell), email, SMS."""
