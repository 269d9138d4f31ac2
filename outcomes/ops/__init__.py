"""What an operator needs: readiness, answers when the database fails, bounded work, request logs, backups."""
