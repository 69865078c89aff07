"""Domain rules: ZES access, the zones' calendar and fleet renewal."""
