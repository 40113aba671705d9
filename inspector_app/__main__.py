from inspector_app.desktop import main

raise SystemExit(main())
