"""Case stories, chronologies, pen-pictures and themes: the qualitative case file."""
