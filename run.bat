@echo off
rem Data Table Manager for Genesys Cloud: install what is needed, build, and start (Windows).
rem Double-click this file, or run it from a command prompt. Set NO_BROWSER=1 to skip opening the browser.
setlocal
cd /d "%~dp0"
where node >nul 2>nul
if errorlevel 1 (
  echo Node.js 20.19 or newer is required but was not found.
  echo Install the current LTS from https://nodejs.org/ and run run.bat again.
  pause
  exit /b 1
)
node -e "const [a,b]=process.versions.node.split(\".\").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)"
if errorlevel 1 (
  echo Your Node.js is too old: version 20.19 or newer is required.
  echo Install the current LTS from https://nodejs.org/ and run run.bat again.
  pause
  exit /b 1
)
node scripts\launch.mjs
if errorlevel 1 pause
endlocal
