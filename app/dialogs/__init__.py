"""One QDialog per module: dialogs collect input and return it."""
