"""Output formats: the check command's renderings and the audit's regulator reports."""
