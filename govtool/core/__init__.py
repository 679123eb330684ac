"""What every area uses: model mixins, permissions, audit log, mail, formatting, errors."""
