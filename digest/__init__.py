"""The core of paperbot: pure domain logic, no chat, database or scheduler imports."""
