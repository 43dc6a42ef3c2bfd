export function App() {
  return <main>liboo</main>;
}
