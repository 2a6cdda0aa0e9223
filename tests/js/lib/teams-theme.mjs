// A Teams-like look for render-cards.mjs: the Adaptive Cards host config (light theme, Segoe UI
// font stack with Linux fallbacks, Teams accent #6264A7) and the page CSS around the renderer's
// HTML (card frame, buttons, inputs). An approximation for eyeballing cards, not a pixel copy.

// Teams uses Segoe UI; Linux machines fall back to Liberation Sans (metric-compatible with Arial).
const FONT_STACK =
  '"Segoe UI", "Segoe UI Web (West European)", -apple-system, BlinkMacSystemFont, Roboto, "Helvetica Neue", "Liberation Sans", "DejaVu Sans", sans-serif';
const MONOSPACE_STACK = 'Consolas, Menlo, "Liberation Mono", "DejaVu Sans Mono", monospace';

export const TEAMS_ACCENT = "#6264A7";
const TEXT = "#242424";
const TEXT_SUBTLE = "#616161";

function colours(defaultColour, subtleColour) {
  return { default: defaultColour, subtle: subtleColour };
}

const foregroundColors = {
  default: colours(TEXT, TEXT_SUBTLE),
  dark: colours("#252424", "#484644"),
  light: colours("#FFFFFF", "#C8C6C4"),
  accent: colours(TEAMS_ACCENT, "#8B8CC7"),
  good: colours("#237B4B", "#4E9A6F"),
  warning: colours("#C4590B", "#D37E42"),
  attention: colours("#C4314B", "#D0627A"),
};

const fontSizes = { small: 12, default: 14, medium: 16, large: 18, extraLarge: 24 };
const fontWeights = { lighter: 300, default: 400, bolder: 600 };

export const hostConfig = {
  supportsInteractivity: true,
  fontTypes: {
    default: { fontFamily: FONT_STACK, fontSizes, fontWeights },
    monospace: { fontFamily: MONOSPACE_STACK, fontSizes: { ...fontSizes, small: 12, default: 13 }, fontWeights },
  },
  spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: "#E0E0E0" },
  imageSizes: { small: 32, medium: 52, large: 100 },
  containerStyles: {
    default: { backgroundColor: "#FFFFFF", foregroundColors },
    emphasis: { backgroundColor: "#F5F5F5", foregroundColors },
    accent: { backgroundColor: "#E8EBFA", foregroundColors },
    good: { backgroundColor: "#E7F2DA", foregroundColors },
    attention: { backgroundColor: "#FCF4F6", foregroundColors },
    warning: { backgroundColor: "#FBF6D9", foregroundColors },
  },
  actions: {
    maxActions: 6,
    spacing: "default",
    buttonSpacing: 8,
    showCard: { actionMode: "inline", inlineTopMargin: 16, style: "emphasis" },
    actionsOrientation: "horizontal",
    actionAlignment: "left",
    iconPlacement: "leftOfTitle",
  },
  adaptiveCard: { allowCustomStyle: true },
  factSet: {
    title: { color: "default", size: "default", isSubtle: false, weight: "bolder", wrap: true, maxWidth: 150 },
    value: { color: "default", size: "default", isSubtle: false, weight: "default", wrap: true },
    spacing: 12,
  },
  inputs: {
    label: {
      requiredInputs: { weight: "bolder", suffix: " *", suffixColor: "attention" },
      optionalInputs: { weight: "bolder" },
      inputSpacing: "small",
    },
    errorMessage: { size: "small", color: "attention" },
  },
  textBlock: { headingLevel: 2 },
};

// CSS for the page. The renderer writes inline styles for text and spacing; buttons and inputs
// are plain elements with ac-* classes that need a stylesheet, which these rules provide.
export const pageCss = `
  html, body { margin: 0; padding: 0; background: #F5F5F5; }
  body { font-family: ${FONT_STACK}; color: ${TEXT}; -webkit-font-smoothing: antialiased; }
  #frame { display: inline-block; padding: 16px; background: #F5F5F5; }
  #card {
    box-sizing: border-box;
    background: #FFFFFF; border: 1px solid #E0E0E0; border-radius: 6px;
    box-shadow: 0 1px 2px rgba(0, 0, 0, 0.14), 0 0 2px rgba(0, 0, 0, 0.12); overflow: hidden;
  }
  .ac-adaptiveCard { border-radius: 6px; }
  .ac-textBlock a { color: ${TEAMS_ACCENT}; text-decoration: none; }
  .ac-textBlock code { font-family: ${MONOSPACE_STACK}; background: #F0F0F0; border-radius: 3px; padding: 0 3px; }
  .ac-textBlock p { margin: 0; }
  .ac-pushButton {
    font-family: ${FONT_STACK}; font-size: 14px; font-weight: 600; color: ${TEXT};
    background: #FFFFFF; border: 1px solid #D1D1D1; border-radius: 4px;
    min-height: 32px; padding: 4px 12px; cursor: pointer; overflow: hidden; text-overflow: ellipsis;
    white-space: nowrap; flex: 0 1 auto !important;
  }
  .ac-pushButton.style-positive, .ac-pushButton.primary { background: ${TEAMS_ACCENT}; border-color: ${TEAMS_ACCENT}; color: #FFFFFF; }
  .ac-pushButton.style-destructive { color: #C4314B; border-color: #D1D1D1; }
  .ac-input { font-family: ${FONT_STACK}; font-size: 14px; color: ${TEXT}; }
  .ac-textInput, .ac-numberInput, .ac-multichoiceInput select, select.ac-input {
    box-sizing: border-box; width: 100%; min-height: 32px; padding: 5px 10px; background: #F5F5F5;
    border: 1px solid transparent; border-bottom: 1px solid #D1D1D1; border-radius: 4px; font-size: 14px;
  }
  .ac-input.ac-input-validation-failed, .ac-input-validation-failed { border-bottom-color: #C4314B; }
  .ac-toggleInput input, .ac-choiceSetInput-expanded input { accent-color: ${TEAMS_ACCENT}; }
  .ac-toggleInput { align-items: center; }
`;
