#include "cli/commands.h"

int main(int argc, char** argv) { return stillpoint::cli::run(argc, argv); }
