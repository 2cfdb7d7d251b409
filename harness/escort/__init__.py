"""The 72-hour escort after launch: its statistics, burn rates and complaints (judge side)."""
