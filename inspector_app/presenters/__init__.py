"""Qt-free labels, times and sentences shared by the command line and the desktop."""
