"""Case stories, chronologies, pen-pictures and themes: the qualitative half of each case study."""
