"""What every Uzor component shares and nothing else: the configuration loader, the language
rule and the exit-code table. Ground floor: it imports no component."""
