enum _PlaceholderTrefoilServer {}
