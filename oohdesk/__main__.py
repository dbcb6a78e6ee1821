from oohdesk.cli import main

main()
